-- summary.lua — module "tfp.summary": the descriptive tables of a paper, as
-- table objects of tfp.table (so they print, render and write in every
-- format: text, Markdown, LaTeX, CSV, HTML, RTF).
--
--   tfp.summary(f, {"TFP", "SAGG"} [, opts]) -> table
--     one row per variable: N, mean, sd, min, max (opts.stats chooses among
--     N mean sd min max median p25 p75 sum). Missing values are skipped and
--     N counts the rest; sd divides by n - 1 (Stata's summarize); p25, median
--     and p75 are Stata's (summarize, detail): the mean of the two middle
--     values when n * p is a whole number. vars may be one name; nil
--     means every numeric column.
--   tfp.correlate(f, vars [, opts]) -> table
--     Pearson correlations, lower triangle with 1 on the diagonal. sample =
--     "listwise" (rows with every variable, as Stata's correlate; the
--     default) or "pairwise" (pwcorr). stars = {0.10, 0.05, 0.01} marks
--     r by the t test of r = 0 with n - 2 df.
local O = require "tfp.options"
local T = require "tfp.table"
local D = require "tfp.dist"
local M = {}

local fmt, insert, concat = string.format, table.insert, table.concat
local raise = function(_, fn, msg) error(fn .. ": " .. msg, 0) end

local function usage(fn, ...) raise("usage", fn, fmt(...)) end

local is_frame = O.is_frame

-- The variables as a list of numeric column names of f.
local function check_vars(fn, f, vars, min)
  if not is_frame(f) then usage(fn, "the first argument must be a frame, got a %s", type(f)) end
  local types = f:types()
  if vars == nil then
    vars = {}
    for _, name in ipairs(f:names()) do
      if types[name] == "number" then insert(vars, name) end
    end
  elseif type(vars) == "string" then
    vars = {vars}
  elseif type(vars) ~= "table" or getmetatable(vars) ~= nil then
    usage(fn, "vars must be a column name or a list of them, got a %s", type(vars))
  end
  local out, seen = {}, {}
  for i, v in ipairs(vars) do
    if type(v) ~= "string" then usage(fn, "vars[%d] must be a column name, got a %s", i, type(v)) end
    if not f:has(v) then
      local near = O.closest(v, f:names())
      usage(fn, "no column '%s'%s", v, near and (" (did you mean '" .. near .. "'?)") or "")
    end
    if types[v] ~= "number" then usage(fn, "column '%s' is text, not numbers", v) end
    if seen[v] then usage(fn, "column '%s' is listed twice", v) end
    seen[v] = true
    out[i] = v
  end
  if #out < (min or 1) then
    usage(fn, "needs at least %d numeric variable%s, got %d", min or 1, (min or 1) > 1 and "s" or "", #out)
  end
  return out
end

local function values(f, v)
  local col, n = f[v], f:nrow()
  local x = {}
  for i = 1, n do
    local y = col[i]
    if y ~= nil and y == y then x[i] = y end
  end
  return x, n
end

local function label_of(fn, labels, v)
  local l = labels and labels[v]
  if l == nil then return v end
  if type(l) ~= "string" then usage(fn, "labels['%s'] must be a string, got a %s", v, type(l)) end
  return l
end

-- Stata's percentile (summarize, detail) of sorted x[1..n].
local function percentile(x, p)
  local n = #x
  if n == 0 then return nil end
  local np = n * p / 100
  local k = math.floor(np)
  if np == k then
    if k == 0 then return x[1] end
    if k >= n then return x[n] end
    return (x[k] + x[k + 1]) / 2
  end
  return x[math.min(k + 1, n)]
end

local SUMMARY = {
  N = {label = "N", int = true, f = function(s) return s.n end},
  mean = {label = "Mean", f = function(s) return s.n > 0 and s.sum / s.n or nil end},
  sd = {label = "SD", f = function(s)
    if s.n < 2 then return nil end
    local m, ss = s.sum / s.n, 0
    for _, y in ipairs(s.sorted) do ss = ss + (y - m) ^ 2 end
    return math.sqrt(ss / (s.n - 1))
  end},
  min = {label = "Min", f = function(s) return s.sorted[1] end},
  max = {label = "Max", f = function(s) return s.sorted[s.n] end},
  median = {label = "Median", f = function(s) return percentile(s.sorted, 50) end},
  p25 = {label = "P25", f = function(s) return percentile(s.sorted, 25) end},
  p75 = {label = "P75", f = function(s) return percentile(s.sorted, 75) end},
  sum = {label = "Sum", f = function(s) return s.sum end},
}
local SUMMARY_KEYS = "N, mean, sd, min, max, median, p25, p75, sum"

local function numcell(s) return {core = s, suffix = "", stars = 0, kind = "num"} end
local BLANK = {core = "", suffix = "", stars = 0, kind = "str"}

local function notes_of(opts)
  local out = {}
  if opts.notes ~= nil then
    local extra = type(opts.notes) == "table" and opts.notes or {opts.notes}
    for _, n in ipairs(extra) do insert(out, tostring(n)) end
  end
  return out
end

function M.summary(f, vars, opts)
  local fn = "tfp.summary"
  opts = O.check(fn, opts)
  vars = check_vars(fn, f, vars)
  local keys = {}
  for i, k in ipairs(opts.stats) do
    local key = SUMMARY[k] and k
    if not key then   -- case-insensitive, as enumerated options are
      for name in pairs(SUMMARY) do if name:lower() == k:lower() then key = name end end
    end
    if not key then usage(fn, "option 'stats': unknown statistic '%s' at %d (one of: %s)", k, i, SUMMARY_KEYS) end
    keys[i] = key
  end
  local digits, row_digits = 3, {}
  if type(opts.digits) == "table" then
    digits = opts.digits[1] ~= nil and opts.digits[1] or 3
    for k, v in pairs(opts.digits) do if k ~= 1 then row_digits[k] = v end end
  elseif opts.digits ~= nil then
    digits = opts.digits
  end
  local function check_d(v, what)
    if type(v) ~= "number" or v ~= math.floor(v) or v < 0 or v > 12 then
      usage(fn, "option 'digits'%s must be an integer from 0 to 12, got %s", what, tostring(v))
    end
    return math.tointeger(v)
  end
  digits = check_d(digits, "")
  for k, v in pairs(row_digits) do
    if not f:has(tostring(k)) then usage(fn, "option 'digits': no variable '%s'", tostring(k)) end
    row_digits[k] = check_d(v, "." .. tostring(k))
  end

  local rows = {}
  for _, v in ipairs(vars) do
    local x, n = values(f, v)
    local sorted, sum = {}, 0
    for i = 1, n do if x[i] then insert(sorted, x[i]); sum = sum + x[i] end end
    table.sort(sorted)
    local s = {n = #sorted, sum = sum, sorted = sorted}
    local cells = {}
    for j, k in ipairs(keys) do
      local val = SUMMARY[k].f(s)
      if val == nil then cells[j] = BLANK
      elseif SUMMARY[k].int then cells[j] = numcell(T.fmtint(val))
      else cells[j] = numcell(T.fmtnum(val, row_digits[v] or digits)) end
    end
    insert(rows, {label = label_of(fn, opts.labels, v), cells = cells})
  end
  local columns = {}
  for j, k in ipairs(keys) do columns[j] = SUMMARY[k].label end
  return T.make({title = opts.title, columns = columns, sections = {rows}, footer = notes_of(opts)}, opts)
end

function M.correlate(f, vars, opts)
  local fn = "tfp.correlate"
  opts = O.check(fn, opts)
  vars = check_vars(fn, f, vars, 2)
  local levels = {}
  for i, v in ipairs(opts.stars or {}) do
    if type(v) ~= "number" or not (v > 0 and v < 1) then
      usage(fn, "option 'stars': element %d must be a p level between 0 and 1, got %s", i, tostring(v))
    end
    levels[i] = v
  end
  table.sort(levels, function(a, b) return a > b end)
  local k = #vars
  local cols, n = {}, f:nrow()
  for j, v in ipairs(vars) do cols[j] = values(f, v) end
  local use = {}
  if opts.sample == "listwise" then
    for i = 1, n do
      local all = true
      for j = 1, k do if not cols[j][i] then all = false break end end
      use[i] = all
    end
  end
  local function corr(a, b)
    local xa, xb = cols[a], cols[b]
    local m, sa, sb = 0, 0, 0
    for i = 1, n do
      if (opts.sample == "listwise" and use[i]) or (opts.sample == "pairwise" and xa[i] and xb[i]) then
        m = m + 1; sa = sa + xa[i]; sb = sb + xb[i]
      end
    end
    if m < 2 then return nil, m end
    local ma, mb = sa / m, sb / m
    local sab, saa, sbb = 0, 0, 0
    for i = 1, n do
      if (opts.sample == "listwise" and use[i]) or (opts.sample == "pairwise" and xa[i] and xb[i]) then
        local da, db = xa[i] - ma, xb[i] - mb
        sab = sab + da * db; saa = saa + da * da; sbb = sbb + db * db
      end
    end
    if saa == 0 or sbb == 0 then return nil, m end
    return sab / math.sqrt(saa * sbb), m
  end
  local rows, nmin, nmax = {}, math.huge, 0
  for a = 1, k do
    local cells = {}
    for b = 1, k do
      if b > a then cells[b] = BLANK
      elseif b == a then cells[b] = numcell(T.fmtnum(1, opts.digits))
      else
        local r, m = corr(a, b)
        nmin, nmax = math.min(nmin, m), math.max(nmax, m)
        if r == nil then cells[b] = BLANK
        else
          local stars = 0
          if #levels > 0 and m > 2 then
            local p = math.abs(r) >= 1 and 0 or D.t_tail2(m - 2, r * math.sqrt((m - 2) / (1 - r * r)))
            for _, level in ipairs(levels) do if p < level then stars = stars + 1 end end
          end
          cells[b] = {core = T.fmtnum(r, opts.digits), suffix = string.rep("*", stars), stars = stars, kind = "num"}
        end
      end
    end
    insert(rows, {label = label_of(fn, opts.labels, vars[a]), cells = cells})
  end
  local columns = {}
  for j, v in ipairs(vars) do columns[j] = label_of(fn, opts.labels, v) end
  local footer = {}
  if opts.sample == "listwise" then
    local m = 0
    for i = 1, n do if use[i] then m = m + 1 end end
    insert(footer, fmt("Pearson correlations, N = %d (rows with every variable)", m))
  else
    insert(footer, nmin == nmax and fmt("Pearson correlations, pairwise samples, N = %d", nmax)
      or fmt("Pearson correlations, pairwise samples, N from %d to %d", nmin, nmax))
  end
  if #levels > 0 then
    local parts, tparts = {}, {}
    for j, level in ipairs(levels) do
      parts[j] = string.rep("*", j) .. " p<" .. T.fmtlevel(level)
      tparts[j] = "$^{" .. string.rep("*", j) .. "}$ $p<" .. T.fmtlevel(level) .. "$"
    end
    insert(footer, {text = concat(parts, ", "), tex = concat(tparts, ", ")})
  end
  for _, note in ipairs(notes_of(opts)) do insert(footer, note) end
  return T.make({title = opts.title, columns = columns, sections = {rows}, footer = footer}, opts)
end

function M.install(tfp)
  raise = tfp._raise
  tfp.summary = function(f, vars, opts) return M.summary(f, vars, opts) end
  tfp.correlate = function(f, vars, opts) return M.correlate(f, vars, opts) end
end

return M
