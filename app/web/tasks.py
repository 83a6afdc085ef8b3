"""The task page: the complaint, its history, the step's form and the actions on the task."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("tasks", __name__, url_prefix="/tasks")
