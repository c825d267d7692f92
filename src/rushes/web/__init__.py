"""The web app: pages and a JSON API over the same functions as the command line.

``create_app(project)`` builds it; ``rushes serve`` runs it with uvicorn.
"""

from rushes.web.app import create_app

__all__ = ["create_app"]
