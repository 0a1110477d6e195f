from graph.cli import cli

cli(prog_name="supplygraph")
