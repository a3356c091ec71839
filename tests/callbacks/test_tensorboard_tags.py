"""A short real `pinn fit` run logs every advertised TensorBoard tag, with finite values."""

import math
import sys
from pathlib import Path

import pytest
import yaml
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from pinn_lightning.cli import BASE_CONFIG, cli_main

ROOT = Path(__file__).resolve().parents[2]


def test_every_advertised_tag_is_logged(tmp_path, monkeypatch):
    config = yaml.safe_load((ROOT / "configs/helmholtz_hash_fd.yaml").read_text())
    config["trainer"] = {**yaml.safe_load(BASE_CONFIG.read_text())["trainer"], **config["trainer"]}
    for cb in config["trainer"]["callbacks"]:
        name = cb["class_path"].rsplit(".", 1)[1]
        if name == "DerivativeSmoothnessMonitor":
            cb["init_args"].update(every_n_steps=50, n_probe=256, image_resolution=16)
        elif name == "SolutionSnapshot":
            cb["init_args"]["every_n_validations"] = 1
        elif name == "ThroughputMonitor":
            cb["init_args"]["window_size"] = 5
    config["trainer"]["logger"]["init_args"]["save_dir"] = str(tmp_path)
    config["trainer"].update(max_steps=200, enable_progress_bar=False, log_every_n_steps=10)
    config["data"]["batches_per_epoch"] = 100
    config["model"]["problem"]["init_args"]["hard_constraints"] = False  # so that a condition term is logged too
    assert config["model"]["derivatives"]["init_args"]["order"] == 4
    config["model"]["derivatives"]["init_args"]["order_switch"] = [100, 2]  # and back to order 2 at step 100
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    monkeypatch.setattr(sys, "argv", ["pinn"])
    cli = cli_main(["fit", "--config", str(path)])

    acc = EventAccumulator(cli.trainer.logger.log_dir, size_guidance={"scalars": 0, "images": 0})
    acc.Reload()
    scalars = set(acc.Tags()["scalars"])
    expected = {
        "train/loss", "train/loss_pde", "train/loss_boundary", "val/rel_l2", "lr-Adam",
        "train/device/samples_per_sec", "grid/active_levels", "grid/fd_step_x", "grid/fd_step_y",
        "grid/fd_order", "hp_metric",
    }  # fmt: skip
    for kind in ("ad_vs_fd", "fd_h_vs_h2"):
        expected |= {f"derivatives/{kind}/{d}" for d in ("u_x", "u_xx", "u_y", "u_yy")}
    expected |= {"derivatives/ad_jump/u_x", "derivatives/ad_jump/u_y"}
    assert expected <= scalars, expected - scalars
    for tag in expected:
        values = [e.value for e in acc.Scalars(tag)]
        assert values and all(math.isfinite(v) for v in values), tag
    # the training step logs exactly the steps the logger writes (log_every_n_steps: 10), no gaps
    for tag in ("train/loss", "train/loss_pde", "grid/active_levels"):
        assert [e.step for e in acc.Scalars(tag)] == list(range(9, 200, 10)), tag
    # logged at steps 9, 19, ..., 199: order 4 through step 99, order 2 from step 100 on
    assert [e.value for e in acc.Scalars("grid/fd_order")] == [4.0] * 10 + [2.0] * 10
    # throughput is in collocation points: samples/s = steps/s * n_collocation
    assert acc.Scalars("train/device/samples_per_sec")[-1].value > 100
    # the logged FD step is the config's fraction of the finest cell of [-1, 1]
    finest = config["model"]["encoding"]["init_args"]["finest_resolution"]
    step_factor = config["model"]["derivatives"]["init_args"]["step_factor"]
    assert acc.Scalars("grid/fd_step_x")[-1].value == pytest.approx(step_factor * 2.0 / finest, rel=1e-6)
    images = set(acc.Tags()["images"])
    assert {"solution/u", "derivatives/u_xx", "derivatives/u_yy"} <= images, images
    # HPARAMS tab: the run's settings (classes included) with the final error as its metric
    from tensorboard.plugins.hparams import plugin_data_pb2

    content = acc.PluginTagToContent("hparams")
    experiment = plugin_data_pb2.HParamsPluginData.FromString(content["_hparams_/experiment"]).experiment
    assert "hp_metric" in {m.name.tag for m in experiment.metric_infos}
    session = plugin_data_pb2.HParamsPluginData.FromString(content["_hparams_/session_start_info"]).session_start_info
    assert session.hparams["encoding"].string_value == "HashGridEncoding"
    assert session.hparams["problem"].string_value == "Helmholtz2D"
    assert session.hparams["encoding.n_levels"].number_value == 16
    assert "problem.training" not in session.hparams
