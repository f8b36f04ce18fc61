"""Pages go out compressed to clients that accept it, and /favicon.ico leads to the icon."""

from __future__ import annotations

import gzip


def test_pages_are_compressed_for_clients_that_accept_it(client, link, frozen):
    plain = client.get(link.public_path)
    packed = client.get(link.public_path, headers={"accept-encoding": "gzip, deflate, br"})

    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.content).decode().count("Intro call") >= 1
    assert len(packed.content) < len(plain.content) / 2


def test_every_page_names_its_icon_and_favicon_ico_leads_there(client, link, frozen):
    body = client.get(link.public_path).content.decode()
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in body

    response = client.get("/favicon.ico")

    assert (response.status_code, response["Location"]) == (302, "/static/favicon.svg")
    assert "max-age=86400" in response["Cache-Control"]
    assert client.post("/favicon.ico").status_code == 405
