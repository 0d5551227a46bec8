"""`factcheck serve`: a local web app and JSON API over one Checker (extra `factcheck[serve]`).

See `factcheck.web.app.create_app`. Importing this package imports neither FastAPI nor
uvicorn."""
