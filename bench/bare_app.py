"""The yardstick: a bare Flask route served by the same gunicorn configuration as the app."""

from flask import Flask, jsonify


def create_app() -> Flask:
    app = Flask(__name__)

    @app.get("/bare")
    def bare():
        return jsonify(show=False)

    return app
