"""What every HTML page shares: the language of the interface (:mod:`.i18n`), rendering
with the base template, navigation and language switch (:mod:`.render`), server-rendered
SVG charts (:mod:`.charts`), and the view models of the pages over what the library
returns (:mod:`.views`). Routes (``microhe.api.routes.*``) call these; none holds logic
of a page, and no page runs SPARQL of its own."""
