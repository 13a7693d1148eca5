-- verbs.lua — module "tfp.verbs": frame verbs written in Lua on top of the
-- C frame, installed as methods of every frame.
--
--   f:merge(g, {on = {"city", "year"}, how = "left"})   -> frame
--     Join g's columns to f by the key columns `on`. g must have one row per
--     key (a 1:1 or m:1 join); f may repeat keys. how: "left" (every row of f,
--     the default), "inner" (rows of f with a match), "right" (every row of
--     g), "outer" (both). Rows come in f's order, then g's unmatched rows in
--     g's order. A missing key never matches. Other columns present in both
--     frames are an error unless option suffix names g's copies.
--   f:collapse{by = {"region", "year"}, mean = {"TFP", "TE"}, sd = ..., count = ...} -> frame
--     One row per group (sorted by the by columns; rows with a missing by
--     value are left out), with statistics of the listed columns over the
--     group's non-missing values: mean, sd (n - 1), count, sum, min, max.
--     A column listed under one statistic keeps its name; under several it
--     becomes name_stat. A map {new = "col"} names the result itself.
local O = require "tfp.options"
local M = {}

local raise = function(_, _, msg) error(msg, 0) end   -- tfp._raise, set by install

local function usage(fn, fmt, ...) raise("usage", fn, string.format(fmt, ...)) end

local is_frame = O.is_frame

local function check_column(fn, f, name, which)
  if not f:has(name) then
    usage(fn, "%s has no column '%s'", which, name)
  end
end

-- Key of row i from the key vectors; nil when a key value is missing.
local function row_key(keys, i)
  local parts = {}
  for k, v in ipairs(keys) do
    local x = v[i]
    if x == nil then return nil end
    parts[k] = type(x) == "number" and string.format("%.17g", x) or x
  end
  return table.concat(parts, "\0")
end

local function show_key(keys, names, i)
  local parts = {}
  for k, v in ipairs(keys) do parts[k] = names[k] .. " = " .. tostring(v[i]) end
  return table.concat(parts, ", ")
end

local function column_type(f, name) return f:types()[name] end

O.define("f:merge", {
  call = "f:merge(g, {on = 'key' | {'k1', 'k2'} [, how = 'left'] [, suffix = '_g']}) -> frame",
  doc = "join g's columns to f by key columns; g has one row per key (1:1 or m:1).\n"
    .. "Rows: f's in order, then g's unmatched ones (right, outer). A missing key never matches.",
  opts = {
    {name = "on", type = "columns", required = true, doc = "the key columns, in both frames"},
    {name = "how", type = "string", values = {"left", "inner", "right", "outer"}, default = "left",
     doc = "left: every row of f; inner: matched rows; right: every row of g; outer: both"},
    {name = "suffix", type = "string", doc = "appended to g's columns whose names f also has (default: an error)"},
  },
  hints = {by = "the key columns are option 'on'", key = "the key columns are option 'on'",
    keys = "the key columns are option 'on'", type = "the kind of join is option 'how'",
    join = "the kind of join is option 'how'", all = "keep every row of both with how = 'outer'",
    suffixes = "option 'suffix' (one string, for g's columns)"},
})

function M.merge(f, g, opts)
  local fn = "f:merge"
  if not is_frame(f) then usage(fn, "call it as f:merge(g, {on = ...})") end
  if not is_frame(g) then usage(fn, "the frame to merge must be a frame, got a %s", type(g)) end
  opts = O.check(fn, opts)
  local on, how = opts.on, opts.how
  local is_key = {}
  for _, k in ipairs(on) do
    check_column(fn, f, k, "the frame")
    check_column(fn, g, k, "the frame merged")
    local tf, tg = column_type(f, k), column_type(g, k)
    if tf ~= tg then
      usage(fn, "key '%s' is %s in the frame and %s in the frame merged", k,
        tf == "number" and "numeric" or "text", tg == "number" and "numeric" or "text")
    end
    is_key[k] = true
  end
  local fnames, gnames, out_g = f:names(), {}, {}
  local in_f = {}
  for _, c in ipairs(fnames) do in_f[c] = true end
  for _, c in ipairs(g:names()) do
    if not is_key[c] then
      local name = c
      if in_f[c] then
        if not opts.suffix then
          usage(fn, "column '%s' is in both frames (drop it from one, or give suffix = '_g')", c)
        end
        name = c .. opts.suffix
        if in_f[name] then usage(fn, "column '%s' (with the suffix) is also in both frames", name) end
      end
      gnames[#gnames + 1] = c
      out_g[#out_g + 1] = name
    end
  end
  local fkeys, gkeys = {}, {}
  for k, name in ipairs(on) do fkeys[k], gkeys[k] = f[name], g[name] end
  local index = {}
  for j = 1, g:nrow() do
    local key = row_key(gkeys, j)
    if key then
      if index[key] then
        raise("data", fn, string.format("the frame merged has two rows for %s (rows %d and %d): "
          .. "it must have one row per key", show_key(gkeys, on, j), index[key], j))
      end
      index[key] = j
    end
  end
  local frow, grow, n = {}, {}, 0   -- result row -> source rows (nil: none)
  local used = {}
  for i = 1, f:nrow() do
    local key = row_key(fkeys, i)
    local j = key and index[key]
    if j then used[j] = true end
    if j or how == "left" or how == "outer" then
      n = n + 1
      frow[n], grow[n] = i, j
    end
  end
  if how == "right" or how == "outer" then
    for j = 1, g:nrow() do
      if not used[j] then n = n + 1; grow[n] = j end
    end
  end
  local cols = {}
  for _, c in ipairs(fnames) do
    local v, from_g = f[c], is_key[c] and g[c]
    local t = {}
    for r = 1, n do
      local i = frow[r]
      if i then t[r] = v[i] elseif from_g then t[r] = from_g[grow[r]] end
    end
    cols[#cols + 1] = {c, tfp.vector(t, n)}
  end
  for k, c in ipairs(gnames) do
    local v, t = g[c], {}
    for r = 1, n do
      local j = grow[r]
      if j then t[r] = v[j] end
    end
    cols[#cols + 1] = {out_g[k], tfp.vector(t, n)}
  end
  return M.frame(cols, n)
end

-- A frame from {name, vector} pairs with n rows (n may be 0).
function M.frame(cols, n)
  if #cols == 0 then return tfp.frame{} end
  if n == 0 then
    local pairs_ = {}
    for k, c in ipairs(cols) do pairs_[k] = {c[1], {}} end
    return tfp.frame(pairs_)
  end
  return tfp.frame(cols)
end

local STATS = {"mean", "sd", "count", "sum", "min", "max"}

-- A statistic's columns: a name, a list of names, or a map {new = "col"}.
local function stat_columns(v)
  if type(v) == "string" then return {{v}} end
  if type(v) ~= "table" or getmetatable(v) ~= nil then
    return nil, "must be a column name, a list of them or a map {new = 'column'}, got a " .. type(v)
  end
  local out = {}
  for i = 1, #v do
    if type(v[i]) ~= "string" then return nil, "element " .. i .. " must be a column name" end
    out[#out + 1] = {v[i], nil}
  end
  local named = {}
  for k, c in pairs(v) do
    if type(k) == "string" then
      if type(c) ~= "string" then return nil, "entry '" .. k .. "' must name a column (a string)" end
      named[#named + 1] = {c, k}
    elseif math.type(k) ~= "integer" or k < 1 or k > #v then
      return nil, "has the key " .. tostring(k) .. " (a list of names or a map {new = 'column'})"
    end
  end
  table.sort(named, function(a, b) return a[2] < b[2] end)
  for _, e in ipairs(named) do out[#out + 1] = e end
  if #out == 0 then return nil, "lists no column" end
  return out
end

local collapse_opts = {
  {name = "by", type = "columns", doc = "the group columns (none: one row for the whole frame)"},
}
for _, s in ipairs(STATS) do
  collapse_opts[#collapse_opts + 1] = {name = s, type = stat_columns, type_word = "columns|map",
    doc = ({mean = "means", sd = "standard deviations (n - 1)", count = "counts of non-missing values",
            sum = "sums", min = "minima", max = "maxima"})[s] .. " of these columns"}
end

O.define("f:collapse", {
  call = "f:collapse{by = {'region', 'year'}, mean = {...} [, sd = ..., count = ..., sum, min, max]} -> frame",
  doc = "one row per group (sorted by the by columns; rows with a missing by value left out) with\n"
    .. "statistics over each group's non-missing values. A column under one statistic keeps its\n"
    .. "name, under several it is name_stat; a map {new = 'col'} names the result.",
  opts = collapse_opts,
  hints = {group = "the group columns are option 'by'", groups = "the group columns are option 'by'",
    avg = "means are option 'mean'", average = "means are option 'mean'", means = "means are option 'mean'",
    std = "standard deviations are option 'sd'", sem = "standard deviations are option 'sd'",
    n = "counts are option 'count'", obs = "counts are option 'count'", freq = "counts are option 'count'",
    total = "sums are option 'sum'"},
})

function M.collapse(f, opts)
  local fn = "f:collapse"
  if not is_frame(f) then usage(fn, "call it as f:collapse{by = ..., mean = ...}") end
  opts = O.check(fn, opts)
  local by = opts.by or {}
  for _, b in ipairs(by) do check_column(fn, f, b, "the frame") end
  -- Results: {stat, source column, output name}; names repeat-checked.
  local uses, results = {}, {}
  for _, s in ipairs(STATS) do
    for _, e in ipairs(opts[s] or {}) do uses[e[1]] = (uses[e[1]] or 0) + 1 end
  end
  local types = f:types()
  local taken = {}
  for _, b in ipairs(by) do taken[b] = true end
  for _, s in ipairs(STATS) do
    for _, e in ipairs(opts[s] or {}) do
      local col = e[1]
      check_column(fn, f, col, "the frame")
      if types[col] ~= "number" and s ~= "count" then
        usage(fn, "column '%s' is text: only count applies to it", col)
      end
      local name = e[2] or (uses[col] > 1 and (col .. "_" .. s) or col)
      if taken[name] then usage(fn, "two results would be called '%s' (name them: %s = {new = '%s'})", name, s, col) end
      taken[name] = true
      results[#results + 1] = {s, col, name}
    end
  end
  if #results == 0 then usage(fn, "no statistic asked for (mean, sd, count, sum, min, max)") end
  local n = f:nrow()
  local bys = {}
  for k, b in ipairs(by) do bys[k] = f[b] end
  local group_of, groups = {}, {}
  for i = 1, n do
    local key = #bys == 0 and "" or row_key(bys, i)
    if key then
      local g = group_of[key]
      if not g then g = {row = i, rows = {}}; group_of[key] = g; groups[#groups + 1] = g end
      g.rows[#g.rows + 1] = i
    end
  end
  table.sort(groups, function(a, b)
    for _, v in ipairs(bys) do
      local x, y = v[a.row], v[b.row]
      if x ~= y then return x < y end
    end
    return false
  end)
  local ng = #groups
  local cols = {}
  for k, b in ipairs(by) do
    local t = {}
    for gi, g in ipairs(groups) do t[gi] = bys[k][g.row] end
    cols[#cols + 1] = {b, tfp.vector(t, ng)}
  end
  for _, r in ipairs(results) do
    local s, v, t = r[1], f[r[2]], {}
    for gi, g in ipairs(groups) do
      local cnt, mean, m2, sum, lo, hi = 0, 0, 0, 0, math.huge, -math.huge
      for _, i in ipairs(g.rows) do
        local x = v[i]
        if x ~= nil then
          cnt = cnt + 1
          if s ~= "count" then
            local d = x - mean   -- Welford: stable mean and sum of squares
            mean = mean + d / cnt
            m2 = m2 + d * (x - mean)
            sum = sum + x
            if x < lo then lo = x end
            if x > hi then hi = x end
          end
        end
      end
      if s == "count" then t[gi] = cnt
      elseif cnt > 0 then
        if s == "mean" then t[gi] = mean
        elseif s == "sum" then t[gi] = sum
        elseif s == "min" then t[gi] = lo
        elseif s == "max" then t[gi] = hi
        elseif s == "sd" and cnt > 1 then t[gi] = math.sqrt(m2 / (cnt - 1)) end
      end
    end
    cols[#cols + 1] = {r[3], tfp.vector(t, ng)}
  end
  return M.frame(cols, ng)
end

function M.install(tfp_)
  raise = tfp_._raise
  local mt = getmetatable(tfp_.frame{})
  mt.methods.merge = M.merge
  mt.methods.collapse = M.collapse
  O.bind(M.merge, "f:merge")
  O.bind(M.collapse, "f:collapse")
end

return M
