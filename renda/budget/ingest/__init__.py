"""Budget data import: the kinds (file and API formats), value normalisation, SQL dialects,
reading files, staging, set-based checks, merging, and the pipeline that runs them."""
