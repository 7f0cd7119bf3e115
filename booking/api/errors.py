"""API errors: ``{"error": code, "message": text, …}`` with a 4xx status, text in the reader's
language."""

from __future__ import annotations

from flask import jsonify


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, **extra):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra

    def response(self):
        return jsonify({"error": self.code, "message": str(self.message), **self.extra}), \
            self.status
