-- NDJSON batches of 100 trade events per POST, each event with a new trade id.
local counter = 0
local prefix = tostring(os.time()) .. "-" .. tostring(math.random(1, 1000000)) .. "-"
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-ndjson"
request = function()
    local lines = {}
    for i = 1, 100 do
        counter = counter + 1
        lines[i] = '{"kind":"trade","symbol":"BTC-USD","trade_id":"' .. prefix .. counter ..
            '","time":1700000000123,"price":"95000.10","size":"0.5","side":"buy"}'
    end
    return wrk.format(nil, wrk.path, nil, table.concat(lines, "\n"))
end
