"""Flask extensions, created unbound and bound in the app factory."""

from flask_socketio import SocketIO

socketio = SocketIO()
