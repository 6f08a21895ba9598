-- One trade event per POST, each with a new trade id (so every one is stored).
local counter = 0
local prefix = tostring(os.time()) .. "-" .. tostring(math.random(1, 1000000)) .. "-"
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
    counter = counter + 1
    local body = '{"kind":"trade","symbol":"BTC-USD","trade_id":"' .. prefix .. counter ..
        '","time":1700000000123,"price":"95000.10","size":"0.5","side":"buy"}'
    return wrk.format(nil, wrk.path, nil, body)
end
