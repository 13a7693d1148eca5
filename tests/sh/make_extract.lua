-- make_extract.lua OUT.csv — a yearbook extract shaped like real data, made
-- from the embedded panel for tests/sh/test_own_data.sh: every third city,
-- string ids, other column names, late entries, exits, gaps, a one-year
-- city, and missing values written as the codes "n/a" and "-".
local out = assert(arg[1], "usage: make_extract.lua OUT.csv")
local f = tfp.data("cities")
local rename = {
  {"city", "city_code"}, {"city_name", "name"}, {"region", "belt"}, {"year", "yr"},
  {"emp_total", "emp_urban_units"}, {"emp_transport", "emp_trans_post"}, {"emp_ict", "emp_info_sw"},
  {"emp_finance", "emp_fin"}, {"emp_leasing", "emp_lease_biz"}, {"emp_research", "emp_sci_tech"},
  {"gdp", "GDP_nominal"}, {"gdp_index", "GDP_deflator_py"}, {"inv", "FAI"}, {"inv_price_index", "FAI_price_py"},
  {"va_secondary", "VA2"}, {"va_tertiary", "VA3"}, {"budget_exp", "gov_spend"}, {"fdi", "FDI_used_yuan"},
  {"students", "univ_students"}, {"population", "pop_avg"}, {"road_area", "road_m2"},
}
-- Years kept per city (others: all), and cells written as NA codes.
local years = {
  [4] = {2006, 2017}, [7] = {2006, 2017},            -- late entry
  [10] = {2003, 2014}, [13] = {2003, 2014},          -- exit
  [22] = {2010, 2010},                               -- one year only
}
local holes = {[16] = {[2009] = true}, [19] = {[2008] = true, [2009] = true}}   -- gaps
local na_cells = {
  ["25|2007|gdp"] = "n/a",        -- a missing GDP: no real GDP, Malmquist chain broken
  ["28|2011|emp_ict"] = "-",      -- a missing sector: no SAGG, SAGG_H that year
  ["31|2005|inv"] = "n/a",        -- a missing investment: two capital-stock spells
  ["34|2012|gdp_index"] = "-",    -- a missing price index: bridged
}
local cols = {}
for k, r in ipairs(rename) do cols[k] = f[r[1]] end
local fh = assert(io.open(out, "w"))
local head = {}
for k, r in ipairs(rename) do head[k] = r[2] end
fh:write(table.concat(head, ","), "\n")
local city, year = f.city, f.year
for i = 1, f:nrow() do
  local c, y = city[i], year[i]
  local span = years[c] or {2003, 2017}
  if c % 3 == 1 and y >= span[1] and y <= span[2] and not (holes[c] and holes[c][y]) then
    local row = {}
    for k, r in ipairs(rename) do
      local v = cols[k][i]
      local code = na_cells[c .. "|" .. y .. "|" .. r[1]]
      if code then v = code
      elseif r[1] == "city" then v = string.format("CN%04d", v)
      elseif type(v) == "number" then v = string.format("%.10g", v) end
      row[k] = v
    end
    fh:write(table.concat(row, ","), "\n")
  end
end
fh:close()
