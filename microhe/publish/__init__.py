"""Publishing the knowledge graph: what the web API says about the data, as library
functions (no FastAPI here; the routers only negotiate and render).

* :mod:`~microhe.publish.dataset`: the VoID and DCAT-AP description of the store;
* :mod:`~microhe.publish.service`: the SPARQL 1.1 Service Description of the endpoint;
* :mod:`~microhe.publish.resource`: a resource's description for linked data (its concise
  bounded description, labels, incoming links, the model of its HTML page);
* :mod:`~microhe.publish.ontology`: the documentation of the core ontology's terms;
* :mod:`~microhe.publish.names`: prefixes, compact names and where an IRI is served.
"""
