"""Real failures a window user meets (File > Open model, a stages folder, a session
file) are ``Msg``s: the command line's English line is unchanged, the window's
Chinese is the same failure in Chinese, reasons nested inside included."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core import checkpoint
from core.hf import HFFolderError, load_folder
from core.hf.hf_cache import _check
from core.messages import Msg, message_of
from core.session_file import SessionFileError, load_session_file
from core.stages.pipeline import Pipeline, StageError
from tests.core.hf.gpt2_kit import write_gpt2
from tests.core.stages.conftest import tiny_settings


def kept(error: BaseException) -> Msg:
    """The error's message as the window receives it (``message_of``): still a Msg."""
    m = message_of(error)
    assert isinstance(m, Msg), f"plain text, not a Msg: {m!r}"
    return m


def test_an_unsupported_model_type_in_english_and_chinese(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "llama"}))
    where = tmp_path / "config.json"
    with pytest.raises(HFFolderError) as caught:
        load_folder(tmp_path)
    english = f"{where}: model_type 'llama' is not supported (supported: gpt2, bert, marian)"
    assert str(caught.value) == english  # the command line's line, as before
    assert (
        kept(caught.value).in_lang("zh")
        == f"{where}：不支持 model_type 'llama'（支持：gpt2, bert, marian）"
    )
    with pytest.raises(checkpoint.CheckpointError) as through:  # File > Open model's path
        checkpoint.load(tmp_path)
    assert str(through.value) == english
    assert kept(through.value).in_lang("zh").startswith(f"{where}：不支持 model_type")


def test_a_pickle_only_folder_is_refused_in_both_languages(tmp_path: Path) -> None:
    write_gpt2(tmp_path)
    (tmp_path / "model.safetensors").rename(tmp_path / "pytorch_model.bin")
    with pytest.raises(checkpoint.CheckpointError) as caught:
        checkpoint.load(tmp_path)
    code = "AutoModel.from_pretrained(DIR).save_pretrained(DIR, safe_serialization=True)"
    assert str(caught.value) == (
        f"{tmp_path / 'pytorch_model.bin'}: weights in a pickle-based format are not read "
        f"(unpickling can run code); convert it to safetensors first, e.g. in Python: {code}"
    )
    zh = kept(caught.value).in_lang("zh")
    assert zh == (
        f"{tmp_path / 'pytorch_model.bin'}：不读取基于 pickle 格式的权重（反序列化可能执行代码）；"
        f"请先转换为 safetensors，例如在 Python 中：{code}"
    )


def test_an_unsupported_option_reads_short_in_the_model_list_in_both_languages(
    tmp_path: Path,
) -> None:
    """The Open model dialog's reason column: the folder's path is not repeated, and the
    family's own option check still says itself in Chinese."""
    write_gpt2(tmp_path)
    config = json.loads((tmp_path / "config.json").read_text())
    (tmp_path / "config.json").write_text(json.dumps({**config, "add_cross_attention": True}))
    family, problem = _check(tmp_path)
    assert family == "gpt2"
    assert problem == "unsupported GPT-2 option add_cross_attention=true"
    assert isinstance(problem, Msg)
    assert problem.in_lang("zh") == "不支持的 GPT-2 选项 add_cross_attention=true"
    with pytest.raises(HFFolderError) as caught:  # opening it says where, as before
        load_folder(tmp_path)
    assert str(caught.value) == f"{tmp_path / 'config.json'}: {problem}"


def test_a_stages_folder_of_another_run_in_both_languages(tmp_path: Path) -> None:
    p = Pipeline(tiny_settings(seed=3))
    assert p.run_stage("pretrain")
    p.save("pretrain", tmp_path / "pretrain")
    with pytest.raises(StageError) as caught:
        Pipeline.resume(tmp_path, tiny_settings(seed=4))
    folder = tmp_path / "pretrain"
    assert str(caught.value) == f"{folder}: made by another run (stage, seed or settings differ)"
    assert (
        kept(caught.value).in_lang("zh")
        == f"{folder}：由另一次运行生成（阶段、随机种子或设置不同）"
    )
    with pytest.raises(StageError) as order:
        Pipeline(tiny_settings()).model("sft")
    assert str(order.value) == "stage sft has not started"
    assert kept(order.value).in_lang("zh") == "阶段 sft 还没有开始"


def test_a_folder_opened_as_a_session_file_in_both_languages(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(SessionFileError) as caught:
        load_session_file(tmp_path)
    assert str(caught.value) == (
        f"{tmp_path} is a folder, not a session file (.tsim) "
        "(a model folder: File > Open model folder, or translate --model)"
    )
    assert "是文件夹，不是会话文件" in kept(caught.value).in_lang("zh")
    junk = tmp_path / "junk.tsim"
    junk.write_bytes(b"not a zip at all")
    with pytest.raises(SessionFileError) as bad:
        load_session_file(junk)
    assert str(bad.value) == f"{junk}: not a session file (not a zip, or truncated)"
    assert kept(bad.value).in_lang("zh") == f"{junk}：不是会话文件（不是 zip，或文件不完整）"
