-- Every writer goes through the one atomic writer (core/atomic_write.h):
-- f:write_csv, tfp.write_csv, tab:write and tfp._write_file. Links are
-- followed, FIFOs and devices refused with an "io" error naming the path,
-- modes kept, and a failed write leaves the old file and no temporary one.
local check = dofile("lua/check.lua")
local test, eq, truthy = check.test, check.eq, check.truthy

local function sh(cmd)
  local p = assert(io.popen(cmd))
  local out = p:read("a")
  p:close()
  return (out:gsub("\n$", ""))
end

local function q(s) return "'" .. s:gsub("'", "'\\''") .. "'" end

local function tempdir()
  local base = os.tmpname()
  os.remove(base)
  assert(os.execute("mkdir " .. q(base)))
  return base
end

local function rmtree(dir) os.execute("rm -rf " .. q(dir)) end
local function listdir(dir) return (sh("ls -A " .. q(dir)):gsub("\n", " ")) end
local function mode(path) return sh("stat -c %a " .. q(path)) end
local function kind(path) return sh("stat -c %F " .. q(path)) end

local function readall(path)
  local fh = assert(io.open(path, "rb"))
  local s = fh:read("a")
  fh:close()
  return s
end

local function put(path, text)
  local fh = assert(io.open(path, "wb"))
  fh:write(text)
  fh:close()
end

local function small_frame() return tfp.frame{{"city", {"A", "B"}}, {"x", {1.5, 2}}} end

local function small_table()
  local fit = {names = {"SAGG"}, coef = {SAGG = 0.05}, se = {SAGG = 0.02}, t = {SAGG = 2.5},
               p = {SAGG = 0.01}, N = 10, depvar = "TFP", method = "2sls", vce = "robust", df_r = 8}
  return tfp.table({fit}, {keep = "SAGG", stats = {}, fe_rows = false})
end

-- The error e of fn(): an "io" tfp.error naming path.
local function io_error(fn, path, fragment)
  local ok, e = pcall(fn)
  truthy(not ok, "call failed")
  eq(type(e), "table", "error object")
  eq(e.code, "io", "code")
  truthy(e.message:find("'" .. path .. "'", 1, true), "message names the path: " .. tostring(e.message))
  if fragment then truthy(e.message:find(fragment, 1, true), "message says " .. fragment .. ": " .. e.message) end
  return e
end

local writers = {
  {"f:write_csv", function(path) small_frame():write_csv(path) end},
  {"tfp.write_csv", function(path) tfp.write_csv(small_frame(), path) end},
  {"tab:write", function(path) small_table():write(path, "text") end},
  {"tfp._write_file", function(path) tfp._write_file(path, "text\n") end},
}

for _, w in ipairs(writers) do
  local name, write = w[1], w[2]

  test(name .. " through a symlink updates the target and keeps the link", function()
    local dir = tempdir()
    put(dir .. "/real.txt", "old\n")
    assert(os.execute("ln -s real.txt " .. q(dir .. "/link.txt")))
    write(dir .. "/link.txt")
    eq(kind(dir .. "/link.txt"), "symbolic link", "the link stays a link")
    truthy(readall(dir .. "/real.txt") ~= "old\n", "target rewritten")
    eq(listdir(dir), "link.txt real.txt", "no temporary files")
    rmtree(dir)
  end)

  test(name .. " to a FIFO is refused naming the path", function()
    local dir = tempdir()
    local path = dir .. "/fifo"
    assert(os.execute("mkfifo " .. q(path)))
    io_error(function() write(path) end, path, "FIFO, not a regular file")
    eq(kind(path), "fifo", "still a FIFO")
    eq(listdir(dir), "fifo", "nothing created")
    rmtree(dir)
  end)

  test(name .. " keeps the mode of a 0600 file and gives a new one 0666 less the umask", function()
    local dir = tempdir()
    put(dir .. "/secret", "old\n")
    assert(os.execute("chmod 600 " .. q(dir .. "/secret")))
    write(dir .. "/secret")
    eq(mode(dir .. "/secret"), "600", "mode kept")
    -- A new file, written by a child tfpkit under umask 027.
    local code = string.format("%s; (%s)(%q)", "local f = tfp.frame{{'x', {1}}}",
                               "function(p) tfp._write_file(p, 'x\\n') end", dir .. "/new")
    sh("umask 027; " .. q(arg[-1]) .. " -e " .. q(code))
    eq(mode(dir .. "/new"), "640", "umask respected")
    eq(listdir(dir), "new secret", "no temporary files")
    rmtree(dir)
  end)
end

test("a directory as target is refused and left as it was", function()
  local dir = tempdir()
  assert(os.execute("mkdir " .. q(dir .. "/d") .. " && touch " .. q(dir .. "/d/keep")))
  io_error(function() small_table():write(dir .. "/d", "text") end, dir .. "/d", "a directory")
  eq(listdir(dir .. "/d"), "keep", "untouched")
  eq(listdir(dir), "d", "nothing created")
  rmtree(dir)
end)

test("a write that fails midway keeps the old file and leaves no temporary file", function()
  local dir = tempdir()
  local path = dir .. "/big.csv"
  put(path, "old\n")
  -- A child tfpkit that may not write files above 1 KB (ulimit -f 1): the
  -- write fails with EFBIG after the temporary file was made.
  local code = string.format([[
    local n = 5000
    local ids, xs = {}, {}
    for i = 1, n do ids[i] = "city" .. i; xs[i] = i / 3 end
    local ok, e = pcall(function() tfp.frame{{"id", ids}, {"x", xs}}:write_csv(%q) end)
    print(ok, e.code, e.fn, e.message)]], path)
  local out = sh("trap '' XFSZ; ulimit -f 1; " .. q(arg[-1]) .. " -e " .. q(code) .. " 2>&1")
  truthy(out:find("false\tio\tf:write_csv\tcannot write '" .. path .. "': File too large", 1, true), out)
  eq(readall(path), "old\n", "old file intact")
  eq(listdir(dir), "big.csv", "no temporary file")
  rmtree(dir)
end)

test("a missing directory is an io error naming the path", function()
  local path = "/tmp/tfp-no-such-dir/t.csv"
  local e = io_error(function() small_frame():write_csv(path) end, path, "No such file or directory")
  eq(e.fn, "f:write_csv", "fn")
  e = io_error(function() tfp.write_csv(small_frame(), path) end, path)
  eq(e.fn, "tfp.write_csv", "fn")
  e = io_error(function() small_table():write(path) end, path)
  eq(e.fn, "tfp.table", "fn")
end)

test("a path with a NUL byte or no path is a usage error", function()
  local ok, e = pcall(function() small_frame():write_csv("/tmp/a\0b.csv") end)
  truthy(not ok and e.code == "usage" and e.message:find("NUL", 1, true), tostring(e))
  ok, e = pcall(function() tfp._write_file(nil, "x") end)
  truthy(not ok and e.code == "usage", tostring(e))
end)

test("writing a table does not touch the script's random numbers", function()
  local dir = tempdir()
  math.randomseed(42)
  local want = {math.random(), math.random()}
  math.randomseed(42)
  small_table():write(dir .. "/t.txt")
  small_table():write(dir .. "/t.txt")
  eq(math.random(), want[1], "first draw")
  eq(math.random(), want[2], "second draw")
  rmtree(dir)
end)

test("f:write_csv and tfp.write_csv are one function", function()
  eq(getmetatable(small_frame()).methods.write_csv, tfp.write_csv)
end)

check.done()
