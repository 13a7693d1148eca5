-- luacheck configuration: tfpkit's Lua runs with the `tfp` global.
std = "lua54"
max_line_length = 130
read_globals = {"tfp", "help"}
files["tests/lua"] = {globals = {"tfp"}}
