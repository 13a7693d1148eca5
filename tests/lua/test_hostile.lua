-- Hostile callbacks, one row per case: Lua code that a C primitive runs (an
-- __index or __len metamethod, a filter function, a finalizer) closes the
-- frame or vector being read, adds columns to it, or hands out strings that
-- nothing else keeps alive. Each call must give a result or a clean error,
-- never a use-after-free (the ASan build runs this file too).
local check = dofile("lua/check.lua")

local function panel()
  return tfp.frame{{"id", {1, 1, 1, 2, 2, 2, 3, 3, 3}}, {"year", {2001, 2002, 2003, 2001, 2002, 2003, 2001, 2002, 2003}},
                   {"region", {"East", "East", "East", "West", "West", "West", "East", "East", "East"}},
                   {"k", {3, 4, 5, 2, 3, 4, 6, 6, 7}}, {"l", {5, 5, 6, 3, 4, 4, 8, 9, 9}},
                   {"y", {4, 5, 7, 2, 3, 5, 6, 7, 9}}, {"p", {100, 105, 110, 100, 104, 108, 100, 103, 107}}}
end

-- A list whose reads run `act` (once, on the first read) and return fresh
-- strings, collecting garbage so that strings read earlier and no longer
-- referenced are freed.
local function hostile_list(items, act)
  local done = false
  local function fire()
    if not done then done = true; act() end
    collectgarbage()
  end
  return setmetatable({}, {
    __len = function() fire(); return #items end,
    __index = function(_, i)
      fire()
      local v = items[i]
      if type(v) == "string" then return (v .. "#"):sub(1, -2) end   -- a fresh string
      return v
    end,
  })
end

-- The frame closed from Lua the three ways it can be: f:close(), its
-- __close (a to-be-closed variable) and its __gc called directly.
local closers = {
  ["f:close()"] = function(f) f:close() end,
  ["<close>"] = function(f) do local _ <close> = f end end,
  ["__gc"] = function(f) getmetatable(f).__gc(f) end,
}

-- Each row: name, function(f, act) making the call with a hostile argument
-- that runs act(). Success or an error are both fine; a crash is not.
local calls = {
  {"f:where given a value list", function(f, act)
     return f:where{region = hostile_list({"East", "West"}, act)} end},
  {"f:select given a name list", function(f, act)
     return f:select(hostile_list({"k", "y", "l"}, act)) end},
  {"column assignment from a table", function(f, act)
     f.z = hostile_list({1, 2, 3, 4, 5, 6, 7, 8, 9}, act) end},
  {"tfp.frame given column tables", function(f, act)
     return tfp.frame{{"a", hostile_list({1, 2, 3}, act)}, {"b", f.k}} end},
  {"f:filter given a mask table", function(f, act)
     return f:filter(hostile_list({true, false, true, true, false, true, true, false, true}, act)) end},
  {"f:filter given a function", function(f, act)
     return f:filter(function(row) act(); return row.k > 3 end) end},
  {"tfp.deflate given an index table", function(f, act)
     return tfp.deflate("y", hostile_list({100, 105, 110, 100, 104, 108, 100, 103, 107}, act),
                        {data = f, id = "id", time = "year", base = 2001}) end},
  {"tfp.deflate given a values table", function(f, act)
     return tfp.deflate(hostile_list({1, 2, 3, 4, 5, 6, 7, 8, 9}, act), "p",
                        {data = f, id = "id", time = "year", base = 2001}) end},
  {"tfp.deflate given vector values and an index table", function(f, act)
     local v = f.y
     return tfp.deflate(v, hostile_list({100, 105, 110, 100, 104, 108, 100, 103, 107}, function()
       act(); do local _ <close> = v end end), {chained = false}) end},
  {"tfp.group_mean given a table", function(f, act)
     return tfp.group_mean("k", hostile_list({1, 1, 1, 2, 2, 2, 3, 3, 3}, act), f) end},
  {"vector arithmetic with a table", function(f, act)
     local v = f.k
     return v + hostile_list({1, 2, 3, 4, 5, 6, 7, 8, 9}, function() act(); do local _ <close> = v end end) end},
  {"tfp.vector given a table", function(_, act)
     return tfp.vector(hostile_list({"a", "b", "c"}, act)) end},
  {"tfp.dea given an inputs list", function(f, act)
     return tfp.dea{data = f, inputs = hostile_list({"k", "l"}, act), outputs = {"y"}} end},
  {"tfp.dea given an options table with metamethods", function(f, act)
     return tfp.dea(setmetatable({data = f, outputs = {"y"}}, {__index = function(_, k)
       act(); if k == "inputs" then return {"k", "l"} end end})) end},
  {"tfp.malmquist given an id read through __index", function(f, act)
     return tfp.malmquist(setmetatable({data = f, time = "year", inputs = {"k", "l"}, outputs = {"y"}},
       {__index = function(_, k) act(); if k == "id" then return ("id#"):sub(1, -2) end end})) end},
  {"tfp.lq given a sectors list", function(f, act)
     return tfp.lq{data = f, sectors = hostile_list({"k", "l"}, act), total = "y", by = false} end},
  {"tfp.read_csv given an na list", function(_, act)
     local path = os.tmpname()
     local fh = assert(io.open(path, "w")); fh:write("a,b\n1,NA\n2,x\n"); fh:close()
     local ok, r = pcall(tfp.read_csv, path, {na = hostile_list({"NA", "x", ""}, act)})
     os.remove(path)
     if not ok then error(r, 0) end
     return r end},
  {"tfp._ivfit given endog names through __index", function(f, act)
     local n = f:nrow()
     return tfp._ivfit{y = f.y, y_name = "y", exog = {f.k}, exog_names = hostile_list({"k"}, act),
                       endog = {f.l}, endog_names = hostile_list({"l"}, act), inst = {f.p},
                       inst_names = {"p"}, endog_test = hostile_list({"l"}, act), cluster = nil,
                       constant = true, method = "2sls", vce = "unadjusted", n = n} end},
  {"tfp._ivfit given a vector the callback closes", function(f, act)
     local k = f.k
     return tfp._ivfit{y = f.y, y_name = "y", exog = {k, hostile_list({1, 2, 3, 4, 5, 6, 7, 8, 10}, function()
       act(); do local _ <close> = k end end)}, endog = {}, inst = {}, constant = true, method = "2sls",
       vce = "unadjusted"} end},
}

-- What the callback does to the frame.
local acts = {
  {"closes the frame with f:close()", function(f) return function() closers["f:close()"](f) end end},
  {"closes the frame as a to-be-closed variable", function(f) return function() closers["<close>"](f) end end},
  {"closes the frame through its __gc", function(f) return function() closers["__gc"](f) end end},
  {"adds columns to the frame", function(f) return function()
     for j = 1, 40 do f["extra" .. j] = j end end end},
  {"drops and replaces columns", function(f) return function()
     f.k = f.k * 2; f.region = nil; f.y = nil end end},
  {"only collects garbage", function() return function() end end},
}

for _, c in ipairs(calls) do
  for _, a in ipairs(acts) do
    check.test(c[1] .. " survives a callback that " .. a[1], function()
      local f = panel()
      local ok, err = pcall(c[2], f, a[2](f))
      if not ok then
        check.truthy(type(err) == "table" or type(err) == "string", "an error value")
        check.truthy(#tostring(err) > 0, "an error message")
      end
      collectgarbage()
    end)
  end
end

-- The same calls with no hostility give their normal results.
check.test("the hostile-list helper itself gives normal results when it does nothing", function()
  local f = panel()
  local g = f:where{region = hostile_list({"West"}, function() end)}
  check.eq(g:nrow(), 3)
  check.eq(f:select(hostile_list({"k", "y"}, function() end)):ncol(), 2)
end)

-- A closed frame is reported as closed after the callback, not read.
check.test("a frame closed by a filter function is an error after the callback", function()
  local f = panel()
  check.errors(function() f:filter(function() f:close(); return true end) end, "closed")
end)

-- Finalizers run during allocations inside any primitive: objects whose
-- __gc closes the frame, under a collector stepping as often as it can.
local finalizer_calls = {
  {"f.k", function(f) return f.k end},
  {"f:names()", function(f) return f:names() end},
  {"tostring(f)", function(f) return tostring(f) end},
  {"f:where", function(f) return f:where{region = {"East", "West"}} end},
  {"f:select", function(f) return f:select{"k", "y", "region"} end},
  {"f:copy", function(f) return f:copy() end},
  {"f:lag", function(f) f:panel("id", "year"); return f:lag("y", 1) end},
  {"tfp.dea", function(f) return tfp.dea{data = f, inputs = {"k", "l"}, outputs = {"y"}, peers = true, slacks = true} end},
  {"tfp.malmquist", function(f)
     return tfp.malmquist{data = f, id = "id", time = "year", inputs = {"k", "l"}, outputs = {"y"}} end},
  {"tfp.deflate", function(f) return tfp.deflate("y", "p", {data = f, id = "id", time = "year", base = 2001}) end},
  {"tfp.capital_stock", function(f) return tfp.capital_stock{data = f, id = "id", time = "year", investment = "k"} end},
  {"tfp.lq", function(f) return tfp.lq{data = f, sectors = {"k"}, total = "y", by = "year"} end},
}
-- Many columns, so that each call allocates often.
local function wide_panel()
  local f = panel()
  for j = 1, 150 do f["w" .. j] = j end
  return f
end
for _, c in ipairs(finalizer_calls) do
  check.test(c[1] .. " survives finalizers that close its frame", function()
    collectgarbage("incremental", 0, 1000, 0)
    for trial = 1, 60 do
      local f = wide_panel()
      local close = getmetatable(f).__close   -- f:close() itself is an error once closed
      for _ = 1, trial % 7 do setmetatable({}, {__gc = function() close(f) end}) end
      pcall(c[2], f)
    end
    collectgarbage("incremental", 200, 100, 13)
    collectgarbage()
  end)
end

check.done()
