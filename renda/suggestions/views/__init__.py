"""Pages for motions and suggestions, one module per stage: drafting and co-signing, staff
registration and assignment, the handling unit's work, replies and rating, motions, public
disclosure, lists and exports, statistics; `detail` is the page they all come back to.

Each view: decorators → permission-checked fetch → form → one service call → redirect or
render (docs/architecture.md §4.2). A POST whose form or service fails re-renders the detail page with the
errors next to the fields and writes nothing.
"""
