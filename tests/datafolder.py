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


# A facility, and the edges of organizations to it: add them to VALID with write_folder(facilities_csv=...,
# relationships_csv=WITH_FACILITY_EDGES).
FACILITIES = """id,name,kind,country,region,status,capacity_mw,chip_count,chip_type,since,until,aliases,description,sources,confidence
colossus,Colossus,gpu_cluster,US,Memphis,operational,150,100000,Nvidia H100,2024-09,,Colossus 1,A GPU cluster.,reuters-1,high
"""
FACILITY_EDGES = """id,from_id,type,to_id,since,until,status,service,kind,amount,currency,stake_percent,round,quantity,unit,value,note,sources,confidence
meta-owns-colossus,meta,OWNS,colossus,2024,,active,,,,,40,,,,,,reuters-1,high
microsoft-operates-colossus,microsoft,OPERATES,colossus,2024,,unknown,,,,,,,,,,,reuters-1,medium
openai-uses-colossus,openai,USES,colossus,2025-01,,active,,,,USD,,,20000,gpus,2000000000,,bloomberg-1,high
scale-builds-colossus,scale-ai,BUILDS,colossus,,,reported,,,,,,,,,,,reuters-1,low
scale-supplies-colossus,scale-ai,SUPPLIES,colossus,2024-06,,active,energy,,,,,,150,mw,,,reuters-1,high
msft-invests-colossus,microsoft,INVESTED_IN,colossus,2024,,active,,,5000000000,USD,10,,,,,,reuters-1,high
"""
FACILITY_POSITION = "droege-runs-colossus,jason-droege,colossus,executive,Site lead,2025,,active,reuters-1,high,"


def with_facility_edges(*extra_rows: str) -> str:
    """relationships.csv with the new columns, the valid rows, the facility edges, and any extra rows."""
    old_header, *old_rows = VALID["relationships.csv"].rstrip("\n").split("\n")
    columns = old_header.split(",")
    header, *rows = FACILITY_EDGES.rstrip("\n").split("\n")
    widened = []
    for row in old_rows:  # the old rows under the new header (no quoted commas in them)
        cells = dict(zip(columns, row.split(",")))
        widened.append(",".join(cells.get(c, "") for c in header.split(",")))
    return "\n".join([header, *widened, *rows, *extra_rows]) + "\n"
