"""Locate dlib's model files inside the installed ``face_recognition_models`` package.

The package is found with ``importlib.util.find_spec`` and never imported: its ``__init__``
imports ``pkg_resources``, which setuptools ≥ 81 no longer ships. No network is used.
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path

from devices.errors import DeviceError

LANDMARKS_5 = "shape_predictor_5_face_landmarks.dat"
DESCRIPTOR = "dlib_face_recognition_resnet_model_v1.dat"
ENV_DIR = "EXAMSITE_FACE_MODELS"  # a folder holding the two .dat files, to override the package


@dataclass(frozen=True)
class ModelFiles:
    """Paths of the two model files the matcher needs."""

    landmarks: Path
    descriptor: Path


def _missing(detail: str) -> DeviceError:
    return DeviceError(
        "face_models_missing",
        f"找不到人脸模型文件（{detail}），请运行 scripts/setup 安装 face_recognition_models",
        f"face model files not found ({detail}); run scripts/setup to install face_recognition_models",
    )


def model_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The folder with the ``.dat`` files: ``override``, ``$EXAMSITE_FACE_MODELS`` or the package's."""
    chosen = override or os.environ.get(ENV_DIR)
    if chosen:
        return Path(chosen)
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        raise _missing("face_recognition_models 未安装 / not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "models"


def locate(override: str | os.PathLike[str] | None = None) -> ModelFiles:
    """Both model paths, checked to exist."""
    folder = model_dir(override)
    files = ModelFiles(folder / LANDMARKS_5, folder / DESCRIPTOR)
    for path in (files.landmarks, files.descriptor):
        if not path.is_file():
            raise _missing(str(path))
    return files
