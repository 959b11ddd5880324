"""The region overlay: where the next round may repaint, found on the actual face."""

from __future__ import annotations

import io

import numpy as np
import skimage.data
from fastapi.testclient import TestClient
from PIL import Image

from tests.app.conftest import run_queued, start
from tests.conftest import bearer
from tests.journey import ok, open_case


def _astronaut(client: TestClient, headers: dict[str, str], case_id: str) -> dict:
    buffer = io.BytesIO()
    Image.fromarray(skimage.data.astronaut()).save(buffer, format="PNG")
    return ok(client.post(f"/api/cases/{case_id}/uploads", headers=headers,
                          files={"file": ("face.png", buffer.getvalue(), "image/png")}), 201)


def test_the_region_is_tinted_where_the_face_has_it(client: TestClient, artist: dict[str, str]) -> None:
    upload = _astronaut(client, artist, open_case(client, artist, "REF-REGION")["case_id"])
    answer = client.get(f"{upload['image_url']}/regions/nose", headers=artist)
    assert answer.status_code == 200 and answer.headers["content-type"] == "image/png"
    assert "no-store" in answer.headers["cache-control"]
    overlay = Image.open(io.BytesIO(answer.content))
    assert overlay.mode == "RGBA" and overlay.size == (upload["width"], upload["height"])
    alpha = np.asarray(overlay)[..., 3]
    ys, xs = np.nonzero(alpha)
    # The astronaut's face sits around x 175-265, y 76-166 of the 512 px photo: the nose inside it.
    assert 175 < xs.mean() < 265 and 76 < ys.mean() < 166
    assert alpha[0, 0] == 0 and alpha.max() > 100
    eyes = client.get(f"{upload['image_url']}/regions/eyes", headers=artist)
    assert eyes.status_code == 200
    eyes_alpha = np.asarray(Image.open(io.BytesIO(eyes.content)))[..., 3]
    assert np.nonzero(eyes_alpha)[0].mean() < ys.mean(), "the eyes sit above the nose"


def test_no_face_unknown_regions_and_other_peoples_pictures_are_refused(client: TestClient,
                                                                         artist: dict[str, str]) -> None:
    session = start(client, artist, candidates=1)
    run_queued()
    noise = ok(client.get(f"/api/sessions/{session['id']}", headers=artist))["rounds"][0]["candidates"][0]
    answer = client.get(f"{noise['image_url']}/regions/eyes", headers=artist)
    assert answer.status_code == 422 and "no face found" in answer.text and "paint a mask" in answer.text
    answer = client.get(f"{noise['image_url']}/regions/elbow", headers=artist)
    assert answer.status_code == 422 and "eyes" in answer.text  # names the regions there are
    assert client.get(f"{noise['image_url']}/regions/eyes", headers=bearer(client, "other")).status_code == 404
