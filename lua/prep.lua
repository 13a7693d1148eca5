-- prep.lua — module "tfp.prep": tfp.lq's missing-value rule around the C
-- primitive. The C function checks the values and computes the default rule
-- (missing = "row": a row missing a sector or the total has no LQ and is
-- left out of its group's totals); missing = "unit" leaves the row's whole
-- unit out of the totals of every group, so that each year's reference
-- ratio is over the same units. Rows of such a unit that are complete still
-- get an LQ, against those totals.
local O = require "tfp.options"
local M = {}

function M.install(tfp)
  local c_lq = tfp.lq
  function tfp.lq(opts)
    local lq = c_lq(opts)
    local o = O.check("tfp.lq", opts)
    if o.missing ~= "unit" then return lq end
    if not o.id then
      tfp._raise("usage", "tfp.lq", "missing = 'unit' needs the unit column: option id, or a panel declared "
        .. "with f:panel(id, time)")
    end
    local f, n = o.data, o.data:nrow()
    local sectors = {}
    for k, s in ipairs(o.sectors) do sectors[k] = f[s] end
    local total, id = f[o.total], f[o.id]
    local group = o.by and f[o.by]
    local x, out_units = {}, {}
    for i = 1, n do
      local sum = total[i] ~= nil and 0 or nil
      for _, s in ipairs(sectors) do
        local v = s[i]
        if v == nil then sum = nil break end
        if sum then sum = sum + v end
      end
      x[i] = sum
      if sum == nil and id[i] ~= nil then out_units[id[i]] = true end
    end
    local X, Y = {}, {}
    for i = 1, n do
      local g = group and group[i] or 1
      if x[i] and g ~= nil and id[i] ~= nil and not out_units[id[i]] then
        X[g] = (X[g] or 0) + x[i]
        Y[g] = (Y[g] or 0) + total[i]
      end
    end
    local out = {}
    for i = 1, n do
      local g = group and group[i] or 1
      if x[i] and g ~= nil then
        if not X[g] or X[g] <= 0 then
          local p = f:panel()
          local where = p and string.format("%s %s, %s %s (row %d)", p.id, tostring(f[p.id][i]), p.time,
            tostring(f[p.time][i]), i) or ("row " .. i)
          tfp._raise("data", "tfp.lq", string.format("%s: no unit with every value in its group (%s) has "
            .. "employment in the sectors; the location quotient is undefined", where, tostring(g)))
        end
        out[i] = (x[i] / total[i]) / (X[g] / Y[g])
      end
    end
    return tfp.vector(out, n)
  end
end

return M
