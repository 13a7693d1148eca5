-- fitted.lua — module "tfp.fitted": what tables (tfp.table) and figures
-- (tfp.coefplot) share in reading the fitted models they show. models is a
-- list (or an indexable collection, such as a tfp.fits) of entries, each a
-- fit or a pair {label = "...", fit}; a single fit is a list of one. A fit
-- has names (its coefficients, in order) and coef keyed by name.
local M = {}

--- M.peek(t, k): t[k], or nil when t's __index refuses the key (a strict
-- collection of fits).
function M.peek(t, k)
  local ok, v = pcall(function() return t[k] end)
  if ok then return v end
  return nil
end

--- M.list(models): the entries: models itself, or a list of one when
-- models is a single fit.
function M.list(models)
  if M.peek(models, "names") ~= nil then return {models} end
  return models
end

--- M.entry(e): the fit of entry e and the pair's label (nil for a bare fit).
function M.entry(e)
  if type(e) == "table" and M.peek(e, "names") == nil and type(e[1]) == "table" then return e[1], e.label end
  return e, nil
end

--- M.label(m, label, i): the column label of fit m, entry i: the pair's
-- label, else the fit's own label, else its sample (East, Central, ...; not
-- "Full"), else "(i)".
function M.label(m, label, i)
  if label == nil and type(M.peek(m, "label")) == "string" then label = m.label end
  if label == nil and type(M.peek(m, "sample")) == "string" and m.sample ~= "Full" then label = m.sample end
  return label ~= nil and tostring(label) or string.format("(%d)", i)
end

--- M.matches(entry, name): does entry select the coefficient name? An entry
-- is a name, or a Lua pattern matched against the whole name ("SAGG.*"; a
-- leading ^ and a trailing $ are allowed and change nothing). A bad pattern
-- returns nil and the pattern error.
function M.matches(entry, name)
  if entry == name then return true end
  local pat = entry
  if pat:sub(1, 1) == "^" then pat = pat:sub(2) end
  if pat:sub(-1) == "$" and pat:sub(-2) ~= "%$" then pat = pat:sub(1, -2) end
  local ok, res = pcall(string.find, name, "^" .. pat .. "$")
  if not ok then return nil, tostring(res) end
  return res ~= nil
end

return M
