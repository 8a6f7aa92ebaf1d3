"""RDF/XML checked with expat before and after pyoxigraph: XML entities (expansion held to
the literal limit, "billion laughs" stopped; external and parameter entities refused,
nothing they name is read) and the position of a well-formedness error, which
pyoxigraph's RDF/XML errors do not carry.
"""

from __future__ import annotations

from microhe.rdf.reading import Limits, MiB, ParseError

# --------------------------------------------------------------------------- RDF/XML


def expat_check(raw: bytes | None, path: str | None, limits: Limits, source: str | None,
                 *, for_error: bool = False) -> ParseError | None:
    """Run expat over RDF/XML: returns a located ParseError for a well-formedness error or
    entity amplification (libexpat refuses "billion laughs"), or for expanded text larger
    than the literal limit; None when expat is happy."""
    import pyexpat

    parser = pyexpat.ParserCreate()
    parser.SetParamEntityParsing(pyexpat.XML_PARAM_ENTITY_PARSING_NEVER)
    run = [0, 0]  # bytes of the current text node, bytes of all text and attributes
    limit = limits.max_literal_bytes

    class _TooBig(Exception):
        pass

    class _Refused(Exception):
        pass

    def entity(name: str, is_parameter: int, _value, _base, system_id, public_id, _notation) -> None:
        # pyoxigraph refuses these too, but with a message about quotes that hides the reason
        if system_id is not None or public_id is not None:
            where = f'SYSTEM "{system_id}"' if public_id is None else f'PUBLIC "{public_id}" "{system_id}"'
            raise _Refused(f"external XML entities are not allowed (<!ENTITY {'% ' * bool(is_parameter)}{name} "
                           f"{where[:120]}>): microhe never reads a file or URL that a document names; "
                           "write the text into the document, or declare an internal entity "
                           '(<!ENTITY name "text">)')
        if is_parameter:
            raise _Refused(f"XML parameter entities are not allowed (<!ENTITY % {name} ...>); only internal "
                           'general entities are (<!ENTITY name "text">)')

    def add(data: str) -> None:
        n = len(data.encode("utf-8", "surrogatepass"))
        run[0] += n
        run[1] += n
        if run[0] > limit or run[1] > limits.max_bytes:
            raise _TooBig

    def start(_name: str, attrs: dict[str, str]) -> None:
        for v in attrs.values():
            run[0] = 0
            add(v)
        run[0] = 0

    def end(_name: str) -> None:
        run[0] = 0

    parser.CharacterDataHandler = add
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.EntityDeclHandler = entity
    try:
        if raw is not None:
            parser.Parse(raw, True)
        else:
            with open(path, "rb") as f:  # type: ignore[arg-type]  # exactly one of raw and path is given: here path
                parser.ParseFile(f)
    except pyexpat.ExpatError as e:
        what = "XML error" if for_error else "invalid XML"
        return ParseError(f"{what}: {pyexpat.ErrorString(e.code)}", source, e.lineno, e.offset + 1)
    except _Refused as e:
        return ParseError(str(e), source, parser.CurrentLineNumber, parser.CurrentColumnNumber + 1)
    except _TooBig:
        return ParseError(f"XML text after entity expansion exceeds the limit of {limit} bytes per literal "
                          f"or {limits.max_bytes} bytes in all",
                          source, parser.CurrentLineNumber, parser.CurrentColumnNumber + 1)
    return None


def declares_entities(raw: bytes | None, path: str | None) -> bool:
    if raw is not None:
        return b"<!ENTITY" in raw
    tail = b""
    with open(path, "rb") as f:  # type: ignore[arg-type]  # exactly one of raw and path is given: here path
        while chunk := f.read(4 * MiB):
            if b"<!ENTITY" in tail + chunk:
                return True
            tail = chunk[-8:]
    return False



__all__ = ["expat_check", "declares_entities"]
