"""`likeness bench --arch sd15` at 64 px on the CPU: the full-size architecture, timed against bare diffusers."""

from __future__ import annotations

import json

from click.testing import CliRunner

from cli.main import main

SD15_UNET_PARAMETERS = 859_520_964  # the published SD 1.5 UNet's size


def test_arch_bench_runs_the_full_size_sd15_on_cpu_at_64px() -> None:
    result = CliRunner().invoke(main, ["bench", "--arch", "sd15", "--size", "64", "--steps", "4", "--rounds", "1",
                                       "--candidates", "2", "--device", "cpu", "--no-sdpa"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert figures["arch"] == "sd15" and figures["unet_parameters"] == SD15_UNET_PARAMETERS
    assert (figures["device"], figures["size"], figures["candidates"], figures["denoising_steps"]) == ("cpu", 64, 2, 1)
    assert (figures["strength"], figures["guidance"]) == (0.3, 7.5)
    # What was on is in the figures: on a CPU no fp16 or compile; SDPA off because the flag said so.
    assert figures["speedups"] == {"fp16": False, "sdpa": False, "channels_last": False, "compile": False,
                                   "batch_with_cfg": True, "vae_batch_decode": True}
    assert figures["engine_round_s"] > 0 and figures["bare_round_s"] > 0 and figures["warmup_engine_s"] > 0
    assert figures["ratio"] == figures["engine_round_s"] / figures["bare_round_s"]
    assert figures["goal_met"] is False  # a CPU figure is never the goal
