"""placeholder"""
NAME = "ctdl"


def convert(data, source, *, base, sha256):
    raise NotImplementedError


def sniff(doc):
    return False
