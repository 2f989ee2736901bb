"""bench/technique_sweep.py and bench/small_folder.py: their arms are what they say, the sweep's
first-mark arithmetic, and the small-folder bench end to end on a few steps; no timings."""
from bench import small_folder, technique_sweep
from gancore import make_config


def test_each_sweep_arm_changes_one_thing_from_before_and_the_last_is_todays_defaults():
    for task, (variant, before, arms) in technique_sweep.TASKS.items():
        names = [name for name, _ in arms]
        assert names[0] == "before issue 21" and arms[0][1] == {} and names[-1] == technique_sweep.DEFAULTS
        assert arms[-1][1] is None and len(set(names)) == len(names)
        for name, change in arms[1:-1]:
            cfg = make_config(variant, task, **{**before, **change})  # every arm is a valid config
            assert any(cfg.flat()[k] != make_config(variant, task, **before).flat()[k] for k in change), name


def test_the_first_mark_at_the_level_or_past_the_last_mark():
    marks = technique_sweep.MARKS["mnist"]
    values = [0.5] * len(marks)
    assert technique_sweep.first_mark("mnist", values) == f"> {marks[-1]:g}"
    values[3] = 0.951
    assert technique_sweep.first_mark("mnist", values) == f"{marks[3]:g}"
    assert technique_sweep.first_mark("mnist", [None] * len(marks)) == f"> {marks[-1]:g}", "ended before"


def test_the_lfw_folder_holds_100_faces_and_the_judges_two_classes(tmp_path):
    faces, judge = small_folder.write_lfw(tmp_path)
    assert len(list(faces.glob("*.png"))) == 100
    assert sorted(p.name for p in judge.iterdir()) == ["face", "other"]
    assert [len(list((judge / c).glob("*.png"))) for c in ("face", "other")] == [100, 100]


def test_the_small_folder_bench_runs_both_arms_end_to_end(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(small_folder, "QUALITY_MD", tmp_path / "QUALITY.md")
    monkeypatch.setattr(small_folder, "GRID_PNG", tmp_path / "img" / "faces.png")
    (tmp_path / "QUALITY.md").write_text("# Quality\n")
    monkeypatch.setattr("sys.argv", ["small_folder.py", "--steps", "20"])
    small_folder.main()
    out = capsys.readouterr().out
    assert "today: 20 steps" in out and "defaults: 20 steps" in out
    text = (tmp_path / "QUALITY.md").read_text()
    assert small_folder.SECTION in text and "| dcgan, today | none |" in text
    assert "diffaugment=color,translation,cutout" in text, "the defaults arm augments a folder"
    assert (tmp_path / "img" / "faces.png").stat().st_size > 0
