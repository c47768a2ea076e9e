"""The portal's pages, for everybody without logging in: `directory` (home page, deputies
directory and profiles), `budget` (预算公开)."""
