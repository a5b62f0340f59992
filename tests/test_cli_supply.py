"""Project files (`landuse.supply.read_projects`) and the thin `landuse supply` command over it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from landuse.cli import main
from landuse.errors import SchemaError
from landuse.supply import (
    ConventionalGrant,
    FlexibleTerm,
    LeaseThenTransfer,
    MultistoreyUnit,
    Project,
    StandardLand,
    evaluate_supply_options,
    read_projects,
)

TOML = """
discount_rate = 0.06
policy = "qingdao-2019"
[project]
name = "电子项目"
industry_code = "39"
floor_area_needed_m2 = 9000
investment_wan = 4000
expected_tax_wan = 300
land_price_yuan_m2 = 600
zone_id = "QD06"
[options.flexible]
years = 30
[options.multistorey]
price_yuan_m2 = 3000
[zone_conditions.QD06]
far_min = 1.5
"""

PROJECTS = """
[[projects]]
name = "A"
industry_code = "39"
floor_area_needed_m2 = 9000
investment_wan = 4000
expected_tax_wan = 300
[[projects]]
name = "B"
industry_code = "36"
floor_area_needed_m2 = "seven thousand"
investment_wan = 4500
expected_tax_wan = 200
"""

CSV = (
    "name,industry_code,floor_area_needed_m2,investment_wan,expected_tax_wan,land_grade,zone_id\n"
    "A,39,9000,4000,300,三级,\n"
    'B,C3611,"7,000",4500,200,三级,QD06\n'
)


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


# --- read_projects ----------------------------------------------------------------------------


def test_read_projects_toml_holds_projects_option_terms_and_settings(tmp_path):
    read = read_projects(write(tmp_path, "p.toml", TOML))
    (project,) = read.projects
    assert project == Project(
        name="电子项目",
        industry_code="39",
        floor_area_needed_m2=9000,
        investment_wan=4000,
        expected_tax_wan=300,
        land_price_yuan_m2=600,
        zone_id="QD06",
    )
    # the options of the file's [options.<name>] tables, with their terms
    assert read.options == [FlexibleTerm(years=30), MultistoreyUnit(price_yuan_m2=3000)]
    assert read.discount_rate == 0.06
    assert read.policy == "qingdao-2019"
    assert read.zone_conditions == {"QD06": {"far_min": 1.5}}
    # options= chooses which options; a chosen option keeps its terms from the file
    chosen = read_projects(tmp_path / "p.toml", options=["conventional", "flexible"])
    assert chosen.options == [ConventionalGrant(), FlexibleTerm(years=30)]


def test_read_projects_csv_one_project_per_row_all_options_by_default(tmp_path):
    for encoding in ("utf-8-sig", "gb18030"):
        read = read_projects(write(tmp_path, f"p-{encoding}.csv", CSV, encoding))
        assert [p.name for p in read.projects] == ["A", "B"]
        assert read.projects[0].zone_id is None  # an empty cell is a missing value
        assert read.projects[1].industry_code == "36"
        assert read.projects[1].floor_area_needed_m2 == 7000  # "7,000"
        assert read.projects[1].land_grade == "三级"
        assert read.options == [
            ConventionalGrant(),
            StandardLand(),
            FlexibleTerm(),
            LeaseThenTransfer(),
            MultistoreyUnit(),
        ]
        assert (read.discount_rate, read.policy, read.zone_conditions) == (None, None, None)


def test_a_bad_csv_row_names_the_file_the_row_and_the_fix(tmp_path):
    path = write(tmp_path, "p.csv", CSV.replace("4500", "lots"))
    with pytest.raises(SchemaError) as info:
        read_projects(path)
    message = str(info.value)
    assert message.startswith(f"{path}, row 2: ")
    assert "`investment_wan` must be a number; received 'lots'" in message
    assert "Fix this project's fields in the file." in message
    path = write(tmp_path, "q.csv", CSV.replace(",zone_id\n", ",zone\n"))
    with pytest.raises(SchemaError, match=r"q\.csv: unknown column\(s\) zone; rename or remove"):
        read_projects(path)
    path = write(tmp_path, "r.csv", CSV.replace("A,39,9000", "A,39,"))
    with pytest.raises(
        SchemaError, match=r"r\.csv, row 1: missing required project field\(s\): floor_area"
    ):
        read_projects(path)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        (PROJECTS, r"p\.toml, \[\[projects\]\] #2: `floor_area_needed_m2` must be a number"),
        (TOML + "\n[options.cheap]\nyears = 1\n", r"p\.toml: unknown option \[options\.cheap\]"),
        (
            TOML.replace("years = 30", "term = 30"),
            r"p\.toml: \[options\.flexible\] has unknown key\(s\) term; valid: years",
        ),
        ("colour = 1\n" + TOML, r"p\.toml: unknown top-level key\(s\) colour; allowed:"),
        ("discount_rate = 0.05\n", r"p\.toml: no \[project\] table"),
        (TOML.replace("0.06", '"6 %"'), r"p\.toml: discount_rate must be a number"),
        (TOML.replace('policy = "qingdao-2019"', "policy = 2019"), r"p\.toml: policy must be"),
        ("[project\nname = 1", r"p\.toml: not valid TOML \(.*line 1"),
    ],
)
def test_a_bad_toml_file_names_the_file_the_table_and_the_fix(tmp_path, text, error):
    with pytest.raises(SchemaError, match=error):
        read_projects(write(tmp_path, "p.toml", text))


def test_read_projects_refuses_other_files_and_unknown_options(tmp_path):
    with pytest.raises(ValueError, match=r"p\.txt: give a \.toml or \.csv file"):
        read_projects(write(tmp_path, "p.txt", "x"))
    with pytest.raises(ValueError, match="unknown option.*cheap; options: conventional"):
        read_projects(write(tmp_path, "p.toml", TOML), options=["cheap"])
    with pytest.raises(SchemaError, match=r"e\.csv: the CSV has no project rows"):
        read_projects(write(tmp_path, "e.csv", "name,industry_code\n"))


# --- landuse supply ---------------------------------------------------------------------------


def test_the_command_writes_what_the_library_computes(tmp_path):
    path = write(tmp_path, "p.csv", CSV)
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(
        main, ["supply", str(path), "--discount-rate", "0.05", "--lang", "en", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    read = read_projects(path)
    expected = pd.concat(
        [
            evaluate_supply_options(
                p, policy="qingdao-2019", discount_rate=0.05, options=read.options, lang="en"
            )
            .reset_index()
            .assign(project=p.name)
            for p in read.projects
        ],
        ignore_index=True,
    )
    written = pd.read_csv(out, encoding="utf-8-sig")
    # English headers from the catalogue (--lang en), money rounded to 0.01 万元 (100 元)
    assert written["Project"].tolist() == expected["project"].tolist()
    assert written["Option code"].tolist() == expected["option"].tolist()
    assert written["Rank"].tolist() == expected["rank"].tolist()
    assert written["Firm's net present value (10k CNY)"].to_numpy() == pytest.approx(
        expected["firm_npv_wan"].to_numpy(), nan_ok=True, abs=0.005
    )


def test_the_policy_given_by_name_or_path_gives_the_same_table(tmp_path):
    import landuse.policy

    profile = Path(landuse.policy.__file__).parent / "profiles" / "qingdao-2019.toml"
    path = write(tmp_path, "p.toml", TOML.replace('policy = "qingdao-2019"\n', ""))
    tables = []
    for policy in ("qingdao-2019", str(profile)):
        out = tmp_path / f"{len(tables)}.csv"
        result = CliRunner().invoke(main, ["supply", str(path), "--policy", policy, "-o", str(out)])
        assert result.exit_code == 0, result.output
        tables.append(pd.read_csv(out, encoding="utf-8-sig"))
    pd.testing.assert_frame_equal(tables[0], tables[1])


def test_a_bad_project_file_is_one_error_line_naming_file_and_row(tmp_path):
    path = write(tmp_path, "p.csv", CSV.replace("4500", "lots"))
    result = CliRunner().invoke(main, ["supply", str(path), "--discount-rate", "0.05"])
    assert result.exit_code == 2, result.output
    assert f"error: {path}, row 2: `investment_wan` must be a number" in result.stderr
    assert "==" not in result.stdout  # nothing evaluated before the file was read whole


def test_read_projects_multistorey_height_and_floors_terms(tmp_path):
    # 工业上楼 needs FAR ≥ 2 AND (height > 24 m OR ≥ 5 floors): the building's height and
    # floors are option terms of [options.multistorey]
    text = TOML.replace("price_yuan_m2 = 3000", "price_yuan_m2 = 3000\nheight_m = 30\nfloors = 4")
    read = read_projects(write(tmp_path, "p.toml", text))
    assert read.options[1] == MultistoreyUnit(price_yuan_m2=3000, height_m=30, floors=4)
