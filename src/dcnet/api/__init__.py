"""REST API: routers, representations (JSON now; oVirt XML is a second serializer of the same dicts), auth."""
