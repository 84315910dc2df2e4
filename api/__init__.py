"""The Flattr REST API v2 (docs/API-V2.md) and its OAuth 2 server: the top layer, on tips."""
