-- plot.lua — module "tfp.plot": figures through gnuplot, one safe layer.
--
--   tfp.levelsplot(f, {vars = {"TFP", "TE", "EC"}, by = "region", time = "year", out = "out/levels"})
--     one panel per variable: its mean by group (lines) over time.
--   tfp.coefplot(fits, {keep = "SAGG", out = "out/sagg"})
--     a coefficient with its confidence interval across fits (e.g. by region);
--     several kept coefficients are series side by side.
--   Both write out.gp (the gnuplot script, its data inline), out.dat (the
--   numbers), and the images out.png and out.svg (opts.formats), and return
--   the paths written.
--
-- Safety, stated because it is the point of this module: no path reaches
-- gnuplot (it reads its script as ./path or an absolute path given as an
-- argument, quoted for the shell, and writes the image to its stdout, which
-- tfp._write_file puts in place atomically); the data are numbers written by
-- this module; every string gnuplot sees (titles, legends, tick labels) is
-- in gnuplot's single quotes, where nothing is expanded (no backslash
-- escapes, no `command`, no @macro) and '' is a quote; a control character,
-- which would end a gnuplot command, is refused. Text mode is noenhanced, so
-- _ and ^ print as themselves. Legends sit below the plot, never on the data.
local O = require "tfp.options"
local D = require "tfp.dist"
local Fitted = require "tfp.fitted"
local M = {}

local fmt, insert, concat = string.format, table.insert, table.concat
local raise = function(_, fn, msg) error(fn .. ": " .. msg, 0) end
local write_file = function(path) error("cannot write '" .. path .. "': needs tfpkit", 0) end

local panel_of = function() return nil end   -- tfp._panel: the frame's declared (id, time)

local function usage(fn, ...) raise("usage", fn, fmt(...)) end

--- M.quote(s, what, fn): s in gnuplot's single-quoted syntax; a control
-- character is a usage error of fn naming `what`.
function M.quote(s, what, fn)
  s = tostring(s)
  if s:find("%c") then
    local shown = fmt("%q", s):gsub("\\\n", "\\n")
    raise("usage", fn or "tfp.plot", fmt("%s %s contains a control character, which cannot be "
      .. "passed to gnuplot", what, shown))
  end
  return "'" .. s:gsub("'", "''") .. "'"
end

--- M.number(x): a number as gnuplot reads it; missing (nil, NaN) is NaN.
function M.number(x)
  if x == nil or x ~= x then return "NaN" end
  if x == math.huge then return "Inf" end
  if x == -math.huge then return "-Inf" end
  return fmt("%.10g", x)
end

local function shell_quote(s) return "'" .. s:gsub("'", "'\\''") .. "'" end

local TERMINALS = {png = "pngcairo", svg = "svg"}

--- M.draw(script, out, opts, fn): write out.gp and draw each format of
-- opts.formats at opts.width x opts.height; returns the paths written.
function M.draw(script, out, opts, fn)
  local paths = {}
  local gp = out .. ".gp"
  local w, h = opts.width, opts.height
  write_file(gp, fmt("# gnuplot -e 'set terminal pngcairo size %d,%d' %s > figure.png\n",
    w, h, (gp:match("[^/]+$"))) .. script, fn)
  insert(paths, gp)
  -- A relative path is given as ./path, so that a name like "-x" is no option.
  local arg = shell_quote(gp:sub(1, 1) == "/" and gp or "./" .. gp)
  for _, format in ipairs(opts.formats) do
    local path = out .. "." .. format
    local term = fmt("set terminal %s size %d,%d", TERMINALS[format], w, h)
    local pipe = io.popen("gnuplot -e " .. shell_quote(term) .. " " .. arg, "r")
    local image = pipe and pipe:read("a")
    local ok, _, code = (pipe or {close = function() return nil, "exit", 127 end}):close()
    if code == 127 then
      raise("io", fn, "cannot run gnuplot (install the Debian package gnuplot-nox)")
    end
    if not ok or not image or #image == 0 then
      raise("io", fn, fmt("gnuplot failed to draw '%s' (its messages are above; the script is '%s')", path, gp))
    end
    write_file(path, image, fn)
    insert(paths, path)
  end
  return paths
end

-- Options every figure has.
local function figure_opts(width, height)
  return {
    {name = "out", type = "string", required = true,
     doc = "path without extension: writes out.gp, out.dat and out.png / out.svg"},
    {name = "formats", type = "columns", default = {"png", "svg"}, doc = "image formats: png, svg"},
    {name = "width", type = "integer", default = width, min = 100, max = 10000, doc = "pixels"},
    {name = "height", type = "integer", default = height, min = 100, max = 10000, doc = "pixels"},
  }
end
local figure_hints = {file = "the output path (without extension) is option 'out'",
  path = "the output path (without extension) is option 'out'", filename = "the output path is option 'out'",
  output = "the output path (without extension) is option 'out'", size = "the size is options width and height",
  format = "image formats are option formats = {'png', 'svg'}", terminal = "image formats are option 'formats'",
  legend = "the legend is always below the plot", key = "the legend is always below the plot"}
local function merge(a, b)
  local out = {}
  for _, o in ipairs(a) do out[#out + 1] = o end
  for _, o in ipairs(b) do out[#out + 1] = o end
  return out
end
-- For the figures of other modules (tfp.curveplot): the same options and hints.
M.figure_opts, M.figure_hints, M.merge = figure_opts, figure_hints, merge

O.define("tfp.levelsplot", {
  call = "tfp.levelsplot(f, {vars = {...}, out = 'dir/name' [, by = 'region'] [, options]}) -> paths",
  doc = "one panel per variable: its mean over the rows of each group (by) and period (time),\n"
    .. "drawn by gnuplot to PNG and SVG (see tfp.coefplot for the safety rules).",
  opts = merge({
    {name = "vars", type = "columns", required = true, doc = "numeric columns, one panel each"},
    {name = "by", type = "column", doc = "groups, one line each (default: one line, all rows)"},
    {name = "time", type = "column", show = "the panel's time", doc = "the x axis"},
    {name = "order", type = "table", doc = "the groups, in legend order (default: sorted)"},
    {name = "titles", type = "table", doc = "one title per panel (default: 'VAR, mean by BY')"},
    {name = "ylabel", type = "string", doc = "the y axis label"},
  }, figure_opts(1500, 450)),
  hints = (function()
    local h = {group = "the groups are option 'by'", year = "the x axis is option 'time'",
      x = "the x axis is option 'time'", y = "the variables are option 'vars'", title = "panel titles are option 'titles'"}
    for k, v in pairs(figure_hints) do h[k] = v end
    return h
  end)(),
})

O.define("tfp.coefplot", {
  call = "tfp.coefplot({fit1, fit2, ...}, {keep = 'SAGG', out = 'dir/name' [, options]}) -> paths",
  doc = "coefficients with confidence intervals across fits (one x position per fit), drawn by\n"
    .. "gnuplot to PNG and SVG. Fits are labelled as tfp.table labels its columns.\n"
    .. "The CI uses the normal (the t with the fit's df_r when it is small), as the fit's p does.",
  opts = merge({
    {name = "keep", type = "columns", required = true, doc = "coefficients (names or Lua patterns)"},
    {name = "rename", type = "table", doc = "{old = 'label'}: names sharing a label are one series"},
    {name = "labels", type = "table", doc = "x labels, one per fit"},
    {name = "level", type = "number", default = 0.95, min = 0.5, max = 0.999, doc = "confidence level"},
    {name = "title", type = "string", doc = "the figure's title"},
    {name = "ylabel", type = "string", default = "coefficient", doc = "the y axis label"},
    {name = "xlabel", type = "string", doc = "the x axis label"},
  }, figure_opts(800, 500)),
  hints = (function()
    local h = {ci = "the confidence level is option 'level'", alpha = "the confidence level is option 'level'",
      coefs = "coefficients are option 'keep'", vars = "coefficients are option 'keep'",
      drop = "choose the coefficients with 'keep'"}
    for k, v in pairs(figure_hints) do h[k] = v end
    return h
  end)(),
})

local is_frame = O.is_frame

local function check_formats(fn, formats)
  for _, f in ipairs(formats) do
    if not TERMINALS[f:lower()] then usage(fn, "option 'formats': unknown format '%s' (png, svg)", f) end
  end
  local out = {}
  for i, f in ipairs(formats) do out[i] = f:lower() end
  return out
end

M.check_formats = check_formats

local function check_column(fn, f, name, what, numeric)
  if not f:has(name) then
    local near = O.closest(name, f:names())
    usage(fn, "%s: no column '%s'%s", what, name, near and (" (did you mean '" .. near .. "'?)") or "")
  end
  if numeric and f:types()[name] ~= "number" then usage(fn, "%s: column '%s' is text, not numbers", what, name) end
end

local function key_of(v) return type(v) == "number" and fmt("%.17g", v) or tostring(v) end

function M.levelsplot(f, opts)
  local fn = "tfp.levelsplot"
  if not is_frame(f) then usage(fn, "the first argument must be a frame, got a %s", type(f)) end
  opts = O.check(fn, opts)
  local formats = check_formats(fn, opts.formats)
  local time = opts.time
  if not time then
    local _, t = panel_of(f)
    time = t
    if not time then
      usage(fn, "option 'time' is not given and the frame has no declared panel: pass time = \"year\" "
        .. "or declare the panel with f:panel(id, time)")
    end
  end
  check_column(fn, f, time, "option 'time'", true)
  for _, v in ipairs(opts.vars) do check_column(fn, f, v, "option 'vars'", true) end
  if opts.by then check_column(fn, f, opts.by, "option 'by'") end

  -- Means by group and period (f:collapse skips missing values).
  local by = opts.by and {opts.by, time} or {time}
  local means = f:collapse{by = by, mean = opts.vars}
  local groups, gseen, periods, pseen, cell = {}, {}, {}, {}, {}
  local gcol = opts.by and means[opts.by]
  local tcol = means[time]
  for i = 1, means:nrow() do
    local g = gcol and key_of(gcol[i]) or ""
    local t = tcol[i]
    if not gseen[g] then gseen[g] = true; insert(groups, g) end
    if not pseen[t] then pseen[t] = true; insert(periods, t) end
    for _, v in ipairs(opts.vars) do cell[v .. "\0" .. g .. "\0" .. key_of(t)] = means[v][i] end
  end
  table.sort(periods)
  if opts.order then
    groups = {}
    for i, g in ipairs(opts.order) do
      if type(g) ~= "string" and type(g) ~= "number" then
        usage(fn, "option 'order': element %d must be a group value, got a %s", i, type(g))
      end
      groups[i] = key_of(g)
    end
  end
  if not opts.by then groups = {""} end
  if #periods == 0 then raise("data", fn, "no rows with a period to plot") end
  if opts.titles and #opts.titles ~= #opts.vars then
    usage(fn, "option 'titles' must list one title per variable (%d)", #opts.vars)
  end

  -- Quote every string first: a bad one stops before anything is written.
  local group_q = {}
  for j, g in ipairs(groups) do group_q[j] = opts.by and M.quote(g, "group name", fn) or M.quote("mean", "title", fn) end
  local title_q = {}
  for k, v in ipairs(opts.vars) do
    local t = opts.titles and opts.titles[k] or (opts.by and (v .. ", mean by " .. opts.by) or (v .. ", mean"))
    if type(t) ~= "string" then usage(fn, "option 'titles': element %d must be a string", k) end
    title_q[k] = M.quote(t, "title", fn)
  end
  local xlabel_q = M.quote(time, "time column name", fn)
  local ylabel_q = opts.ylabel and M.quote(opts.ylabel, "ylabel", fn)

  local rows, header = {}, {"# " .. time}
  for _, v in ipairs(opts.vars) do
    for _, g in ipairs(groups) do header[#header + 1] = opts.by and (v .. "|" .. g) or v end
  end
  for _, t in ipairs(periods) do
    local row = {M.number(t)}
    for _, v in ipairs(opts.vars) do
      for _, g in ipairs(groups) do row[#row + 1] = M.number(cell[v .. "\0" .. g .. "\0" .. key_of(t)]) end
    end
    rows[#rows + 1] = concat(row, " ")
  end
  local data = concat(rows, "\n")
  write_file(opts.out .. ".dat", concat(header, " ") .. "\n" .. data .. "\n", fn)

  local plots = {}
  for k in ipairs(opts.vars) do
    local lines = {}
    for j in ipairs(groups) do
      lines[j] = fmt("$levels using 1:%d with linespoints title %s", 1 + (k - 1) * #groups + j, group_q[j])
    end
    plots[k] = fmt("set title %s\nplot %s", title_q[k], concat(lines, ", "))
  end
  local script = "$levels << EOD\n" .. data .. "\nEOD\n"
    .. "set termoption noenhanced\nset key below horizontal\nset grid\n"
    .. "set xlabel " .. xlabel_q .. "\n" .. (ylabel_q and ("set ylabel " .. ylabel_q .. "\n") or "")
    .. fmt("set multiplot layout 1,%d\n", #opts.vars)
    .. concat(plots, "\n") .. "\nunset multiplot\n"
  local paths = M.draw(script, opts.out, {formats = formats, width = opts.width, height = opts.height}, fn)
  table.insert(paths, 2, opts.out .. ".dat")
  return paths
end

-- Does entry (a name or a Lua pattern) match the whole of name?
local function matches(fn, entry, name)
  local hit, err = Fitted.matches(entry, name)
  if hit == nil then usage(fn, "bad pattern '%s' in option 'keep': %s", entry, err) end
  return hit
end

function M.coefplot(models, opts)
  local fn = "tfp.coefplot"
  opts = O.check(fn, opts)
  local formats = check_formats(fn, opts.formats)
  if type(models) ~= "table" then usage(fn, "expected a list of fitted models, got a %s", type(models)) end
  models = Fitted.list(models)
  local fits, labels = {}, {}
  for i = 1, #models do
    local m, label = Fitted.entry(models[i])
    if type(m) ~= "table" or type(m.coef) ~= "table" or type(m.names) ~= "table" then
      usage(fn, "model %d is not a fitted model (no names and coef)", i)
    end
    fits[i], labels[i] = m, Fitted.label(m, label, i)
  end
  if #fits == 0 then usage(fn, "no models to plot") end
  if opts.labels then
    if #opts.labels ~= #fits then usage(fn, "option 'labels' must list one label per model (%d)", #fits) end
    for i = 1, #fits do labels[i] = tostring(opts.labels[i]) end
  end
  local rename = opts.rename or {}

  -- Series: kept names after rename, in order of first appearance.
  local series, by_label, hit = {}, {}, {}
  for _, m in ipairs(fits) do
    for _, name in ipairs(m.names) do
      for k, e in ipairs(opts.keep) do
        if matches(fn, e, name) then
          hit[k] = true
          local label = rename[name] or name
          if type(label) ~= "string" then usage(fn, "option 'rename': rename['%s'] must be a string", name) end
          if not by_label[label] then
            by_label[label] = {label = label, names = {}}
            insert(series, by_label[label])
          end
          by_label[label].names[name] = true
          break
        end
      end
    end
  end
  for k, e in ipairs(opts.keep) do
    if not hit[k] then usage(fn, "option 'keep': '%s' matches no coefficient of the fits", e) end
  end

  local xt = {}
  for i, l in ipairs(labels) do xt[i] = fmt("%s %d", M.quote(l, "fit label", fn), i - 1) end
  local title_q = opts.title and M.quote(opts.title, "title", fn)
  local ylabel_q = M.quote(opts.ylabel, "ylabel", fn)
  local xlabel_q = opts.xlabel and M.quote(opts.xlabel, "xlabel", fn)
  local level_word = fmt("%g%% CI", opts.level * 100)
  local series_q = {}
  for s, ser in ipairs(series) do series_q[s] = M.quote(ser.label .. " (" .. level_word .. ")", "series name", fn) end

  local blocks, plots, dat = {}, {}, {"# series fit x estimate lower upper"}
  local ns = #series
  local lo_all, hi_all = 0, 0
  for s, ser in ipairs(series) do
    local offset = ns == 1 and 0 or (s - (ns + 1) / 2) * 0.6 / ns
    local lines = {}
    for i, m in ipairs(fits) do
      local name
      for n in pairs(ser.names) do
        if m.coef[n] ~= nil then
          if name then usage(fn, "model %d has both '%s' and '%s', renamed to one series '%s'", i, name, n, ser.label) end
          name = n
        end
      end
      local b = name and m.coef[name]
      local se = name and m.se and m.se[name]
      if type(b) == "number" and type(se) == "number" and b == b and se == se then
        local df = m.small and type(m.df_r) == "number" and m.df_r == m.df_r and m.df_r or math.huge
        local q = df == math.huge and D.norm_quantile((1 + opts.level) / 2) or D.t_quantile(df, (1 + opts.level) / 2)
        local lo, hi = b - q * se, b + q * se
        lo_all, hi_all = math.min(lo_all, lo), math.max(hi_all, hi)
        local x = (i - 1) + offset
        insert(lines, fmt("%s %s %s %s", M.number(x), M.number(b), M.number(lo), M.number(hi)))
        insert(dat, fmt("%d %d %s %s %s %s", s, i, M.number(x), M.number(b), M.number(lo), M.number(hi)))
      end
    end
    if #lines == 0 then lines[1] = "NaN NaN NaN NaN" end
    insert(blocks, fmt("$s%d << EOD\n%s\nEOD", s, concat(lines, "\n")))
    insert(plots, fmt("$s%d using 1:2:3:4 with yerrorbars pointtype 7 pointsize 1.2 linewidth 2 title %s",
                      s, series_q[s]))
  end
  write_file(opts.out .. ".dat", concat(dat, "\n") .. "\n", fn)
  local pad = (hi_all - lo_all) * 0.08
  local script = concat(blocks, "\n") .. "\n"
    .. "set termoption noenhanced\nset key below horizontal\nset grid ytics\n"
    .. (title_q and ("set title " .. title_q .. "\n") or "")
    .. "set ylabel " .. ylabel_q .. "\n" .. (xlabel_q and ("set xlabel " .. xlabel_q .. "\n") or "")
    .. fmt("set xrange [-0.6:%s]\n", M.number(#fits - 0.4))
    .. fmt("set yrange [%s:%s]\n", M.number(lo_all - pad), M.number(hi_all + pad))
    .. "set xtics (" .. concat(xt, ", ") .. ")\n"
    .. "set xzeroaxis linetype 0 linewidth 2\n"
    .. "plot " .. concat(plots, ", ") .. "\n"
  local paths = M.draw(script, opts.out, {formats = formats, width = opts.width, height = opts.height}, fn)
  table.insert(paths, 2, opts.out .. ".dat")
  return paths
end

function M.install(tfp)
  raise = tfp._raise
  write_file = tfp._write_file
  panel_of = tfp._panel
  tfp.levelsplot = function(f, opts) return M.levelsplot(f, opts) end
  tfp.coefplot = function(fits, opts) return M.coefplot(fits, opts) end
end

return M
