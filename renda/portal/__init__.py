"""人大之家 (the portal): the public home page, the directory of deputies and stations, and the
top of the app layers (docs/architecture.md).

Because portal sits above every other app it is also where things that need the whole project
live: `manage.py seed_demo` (portal/management/commands/seed_demo.py) loads the demo county
through the services of accounts, deputies and stations and then each app's own demo year, so
it may import them all; core keeps only its own reference data (core/demo_data.py)."""
