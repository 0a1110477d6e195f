"""The network view's limits, shared by the app, graph.explore and `supplygraph snapshot`.

A module of its own so the CLI can show them as its defaults without importing the drawing code
(networkx, Jinja), which would add half a second to every command.
"""

MAX_HOPS = 3  # the stored neighbourhood query goes at most this far
DEFAULT_LIMIT = 300  # relationships, as the neighbourhood query's own default
