-- Escape sequences from the data never reach the terminal raw: frame and
-- vector listings, panel descriptions, error messages and warnings show
-- control characters as \x1b, \n, ... (core/visible.h); Chinese names stay.
local check = dofile("lua/check.lua")
local test, eq, truthy = check.test, check.eq, check.truthy

local ESC, BEL = "\27", "\7"
local csv = os.tmpname()
do
  local fh = assert(io.open(csv, "wb"))
  fh:write("city,x" .. ESC .. "[31m,region,year\n",
           '"' .. ESC .. "[2J" .. ESC .. "]0;pwned" .. BEL .. '",1,East,2001\n',
           "北京,2,\"West\r\nline\",2001\n",
           "caf\233,3,East,2001\n")
  fh:close()
end

-- No byte of s could control a terminal (newlines and tabs allowed when lines).
local function clean(s, lines)
  local bad = lines and "[%z\1-\8\11-\31\127]" or "[%z\1-\31\127]"
  local at = s:find(bad)
  truthy(not at, string.format("raw control byte %q in %q", at and s:sub(at, at) or "", s))
  truthy(utf8.len(s), "valid UTF-8: " .. s)
end

local function err_of(fn)
  local ok, e = pcall(fn)
  truthy(not ok, "raised")
  return e
end

test("a frame listing shows control characters escaped and Chinese names as they are", function()
  local s = tostring(tfp.read_csv(csv))
  clean(s, true)
  truthy(s:find("\\x1b[2J\\x1b]0;pwned\\x07", 1, true), s)
  truthy(s:find("x\\x1b[31m", 1, true), "column name: " .. s)
  truthy(s:find("West\\r\\nline", 1, true), "newline in a cell: " .. s)
  truthy(s:find("北京", 1, true), "Chinese kept: " .. s)
  truthy(s:find("caf\\xe9", 1, true), "Latin-1 byte: " .. s)
end)

test("a vector listing shows control characters escaped", function()
  local f = tfp.read_csv(csv)
  local s = tostring(f.city)
  clean(s)
  eq(s, "vector[3]{\\x1b[2J\\x1b]0;pwned\\x07, 北京, caf\\xe9}")
  eq(f.city[1], ESC .. "[2J" .. ESC .. "]0;pwned" .. BEL, "the value itself is unchanged")
end)

test("the panel description shows escaped column names", function()
  local f = tfp.frame{{"id" .. ESC .. "[1m", {"a", "b"}}, {"t", {1, 2}}}
  f:panel("id" .. ESC .. "[1m", "t")
  local s = tostring(f:panel())
  clean(s)
  truthy(s:find("id\\x1b[1m", 1, true), s)
end)

test("error messages quoting cells, column and file names show them escaped", function()
  local f = tfp.read_csv(csv)
  local cases = {
    {function() return f.nope end, "columns: city, x\\x1b[31m, region, year"},
    {function() return f["bad" .. ESC .. "]0;t" .. BEL] end, "no column 'bad\\x1b]0;t\\x07'"},
    {function() tfp.read_csv("/tmp/no" .. ESC .. "[1m.csv") end, "/tmp/no\\x1b[1m.csv: No such file"},
    {function() tfp.read_csv(csv, {numeric = {"city"}}) end, "got '\\x1b[2J\\x1b]0;pwned\\x07'"},
    {function() f:write_csv("/tmp/no-dir" .. ESC .. "[2J/x.csv") end, "cannot write '/tmp/no-dir\\x1b[2J/x.csv'"},
    {function() tfp._raise("data", "t", "cell " .. ESC .. "[5m\r\n" .. "next line") end, "cell \\x1b[5m\\r\nnext line"},
  }
  for i, c in ipairs(cases) do
    local e = err_of(c[1])
    local text = tostring(e)
    clean(text, true)
    clean(e.message, true)
    truthy(text:find(c[2], 1, true), "case " .. i .. ": " .. text)
  end
end)

-- The host prints errors and warnings: run a chunk in a child tfpkit.
local function run(chunk)
  local p = assert(io.popen(string.format("'%s' -e '%s' 2>&1", arg[-1], chunk:gsub("'", "'\\''"))))
  local out = p:read("a")
  p:close()
  return out
end

test("the host shows a plain error's escape sequence escaped", function()
  local out = run('error("boom \\27[31m red \\27]0;title\\7")')
  clean(out, true)
  truthy(out:find("boom \\x1b[31m red \\x1b]0;title\\x07", 1, true), out)
end)

test("the host shows warnings quoting data escaped", function()
  local out = run('local f = tfp.frame{{"region", {"East", "West"}}}; f:where{region = "E\\27[5mast"}')
  clean(out, true)
  truthy(out:find("Lua warning: ", 1, true) and out:find("'E\\x1b[5mast'", 1, true), out)
end)

test("printing a frame at the host writes no escape sequence", function()
  local out = run(string.format('print(tfp.read_csv(%q))', csv))
  clean(out, true)
  truthy(out:find("北京", 1, true), out)
end)

test("a string result at the prompt shows its escape sequence escaped, its lines kept", function()
  local input = os.tmpname()
  local fh = assert(io.open(input, "w"))
  fh:write(string.format("f = tfp.read_csv(%q)\nf.city[1]\n\"a\\nb\"\n", csv))
  fh:close()
  local p = assert(io.popen(string.format("'%s' < '%s' 2>&1", arg[-1], input)))
  local out = p:read("a")
  p:close()
  os.remove(input)
  clean(out, true)
  truthy(out:find("\\x1b[2J\\x1b]0;pwned\\x07", 1, true), out)
  truthy(out:find("a\nb", 1, true), "newline kept: " .. out)
end)

os.remove(csv)
check.done()
