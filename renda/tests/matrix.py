"""Permission matrix for the project's API root (renda/api.py)."""

from renda.core.tests.matrix_support import Entry, everyone

MATRIX = {
    # The API: health is public; the generated documentation too (it holds no data).
    "api:api-root": Entry(everyone(404)),
    "api:health": Entry(everyone()),
    "api:openapi-json": Entry(everyone()),
    "api:openapi-view": Entry(everyone()),
}
