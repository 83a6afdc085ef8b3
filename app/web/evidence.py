"""Evidence files (photos, recordings): download by id for those who may see the complaint."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("evidence", __name__, url_prefix="/evidence")
