-- make_green_panel.lua OUT.csv — the embedded city panel plus a generated
-- bad output `emission` (industrial SO2-like: roughly proportional to
-- secondary value added, falling intensity, deterministic noise), for
-- testing scripts/green.lua until the embedded panel has its own.
local f = tfp.data("cities")
local va, yr, city = f.va_secondary, f.year, f.city
local e = {}
for i = 1, f:nrow() do
  local u = math.sin(12.9898 * city[i] + 78.233 * yr[i]) * 43758.5453
  u = u - math.floor(u)                 -- a fixed pseudo-uniform in [0, 1)
  e[i] = va[i] and 0.05 * va[i] ^ 0.9 * math.exp(-0.03 * (yr[i] - 2003) + 0.4 * (u - 0.5)) or nil
end
f.emission = tfp.vector(e, f:nrow())
f:write_csv(arg[1])
