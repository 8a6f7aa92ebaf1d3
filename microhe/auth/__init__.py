"""Write tokens, kept hashed in a file beside the store."""
