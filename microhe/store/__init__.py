"""Where the graph lives: the embedded pyoxigraph store, a remote SPARQL server, the views derived per store state, and their files beside the store."""
