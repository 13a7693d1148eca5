-- check.lua — assertions for the Lua tests (run by tfpkit from tests/):
--   local check = dofile("lua/check.lua")
--   check.test("name reads as a sentence", function() check.eq(a, b) end)
--   check.done()   -- prints "N passed, N failed" and exits non-zero on failure
local M = {}
local passed, failed, current = 0, 0, "?"

local function fail(msg)
  error({check = true, msg = msg}, 0)
end

local function show(v)
  if type(v) == "string" then return string.format("%q", v) end
  return tostring(v)
end

function M.eq(got, want, what)
  if got ~= want then fail((what or "value") .. ": got " .. show(got) .. ", want " .. show(want)) end
end

-- |got - want| <= tol * max(1, |want|); NaN never passes, an infinity only
-- equals itself.
function M.near(got, want, tol, what)
  local bad = type(got) ~= "number" or got ~= got or want ~= want
  if not bad then
    if got == want then bad = false
    elseif math.abs(want) == math.huge or math.abs(got) == math.huge then bad = true
    else bad = not (math.abs(got - want) <= tol * math.max(1, math.abs(want))) end   -- luacheck: ignore 581 (NaN fails)
  end
  if bad then
    fail(string.format("%s: got %s, want %.12g (tol %g)", what or "value", show(got), want, tol))
  end
end

function M.truthy(v, what)
  if not v then fail((what or "condition") .. " is false") end
end

-- fn must raise an error whose message contains `fragment` (plain text).
function M.errors(fn, fragment, what)
  local ok, err = pcall(fn)
  if ok then fail((what or "call") .. " did not raise an error") end
  err = tostring(type(err) == "table" and err.msg or err)
  if not err:find(fragment, 1, true) then
    fail((what or "error") .. ": message " .. show(err) .. " lacks " .. show(fragment))
  end
  return err
end

function M.test(name, fn)
  current = name
  local ok, err = xpcall(fn, function(e)
    if type(e) == "table" and e.check then return e.msg end
    return debug.traceback(tostring(e), 2)
  end)
  if ok then passed = passed + 1
  else
    failed = failed + 1
    io.stderr:write("FAIL ", current, ": ", tostring(err), "\n")
  end
end

function M.done()
  print(string.format("%d passed, %d failed", passed, failed))
  os.exit(failed == 0 and 0 or 1, true)
end

return M
