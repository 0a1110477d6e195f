"""A small valid data folder, and ways to break it one thing at a time."""

from __future__ import annotations

from pathlib import Path

VALID = {
    "sources.csv": """id,publisher,title,date,url
reuters-1,Reuters,Meta invests in Scale AI,2025-06-12,https://example.org/a
bloomberg-1,Bloomberg,OpenAI winds down Scale AI work,2025-06-18,
cnbc-1,CNBC,Meta forms Superintelligence Labs,2025-06-30,
""",
    "organizations.csv": """id,name,roles,services,country,aliases,description,sources,confidence
meta,Meta,lab;investor,,US,Facebook,Social media and AI lab.,reuters-1,high
scale-ai,Scale AI,vendor,data_labeling,US,Scale,Data labeling vendor.,reuters-1,high
openai,OpenAI,lab,,US,,AI lab.,bloomberg-1,high
microsoft,Microsoft,investor;vendor,cloud_compute,US,,Cloud and software.,bloomberg-1,high
""",
    "people.csv": """id,name,aliases,description,sources,confidence
alexandr-wang,Alexandr Wang,,Founder of Scale AI.,reuters-1,high
jason-droege,Jason Droege,,Interim CEO of Scale AI.,reuters-1;cnbc-1,high
""",
    "positions.csv": """id,person_id,org_id,kind,title,since,until,status,sources,confidence,note
wang-ceo-scale,alexandr-wang,scale-ai,executive,CEO,2016,2025-06,ended,reuters-1,high,
wang-meta,alexandr-wang,meta,executive,Chief AI Officer,2025-06,,active,cnbc-1,high,
droege-ceo,jason-droege,scale-ai,executive,Interim CEO,2025-06,,active,reuters-1,high,
""",
    "relationships.csv": """id,from_id,type,to_id,since,until,status,service,kind,amount,currency,stake_percent,round,note,sources,confidence
meta-inv-scale,meta,INVESTED_IN,scale-ai,2025-06-12,,active,,,14300000000,USD,49,strategic,non-voting,reuters-1,high
scale-openai,scale-ai,SUPPLIES,openai,,2025-06,ended,data_labeling,,,,,,,bloomberg-1,high
scale-meta,scale-ai,SUPPLIES,meta,,,active,data_labeling,,,,,,,reuters-1,medium
msft-inv-openai,microsoft,INVESTED_IN,openai,2019-07,,active,,,1000000000,USD,,,,bloomberg-1,high
msft-openai-cloud,microsoft,PARTNERS_WITH,openai,2019-07,,active,,compute,,,,,,bloomberg-1,high
""",
}


def write_folder(folder: Path, **replacements: str | bytes | None) -> Path:
    """Writes the valid folder with some files replaced (keys use _ for the dot: people_csv)."""
    folder.mkdir(parents=True, exist_ok=True)
    files = dict(VALID)
    for key, content in replacements.items():
        files[key.replace("_csv", ".csv")] = content
    for name, content in files.items():
        if content is None:
            continue
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return folder


def with_row(name: str, row: str) -> str:
    """The valid file with one more row at the end."""
    return VALID[name] + row + "\n"


def with_replaced(name: str, old: str, new: str) -> str:
    assert old in VALID[name], old
    return VALID[name].replace(old, new, 1)
