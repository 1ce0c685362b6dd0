BASE=${FAWTARA_BASE_URL:-http://localhost:3000}
ACCESS_CODE=c333729b-d060-4b74-a49d-7686a8353481 # the sandbox merchant's
# 1. log in (plain JSON) and keep the bearer token
TOKEN=$(curl -s "$BASE/api/v1/login" -H 'content-type: application/json' \
  -d '{"username":"test","password":"Test@1234"}' |
  node -p 'JSON.parse(require("fs").readFileSync(0, "utf8")).response.token.access_token')
# 2. encrypt the payload with the merchant key (AES-256-CBC, hex) into {"data": …}, POST it with
#    the accessCode and Authorization headers, and decrypt the reply's "response"
EXPIRES=$(node -p 'new Date(Date.now() + 30 * 86400000).toISOString().slice(0, 10)')
npx fawtara encrypt --json '{"merchantCode":"842217","amount":"12.500","customerName":"Ahmad",
  "mobileNumber":"66666666","countryCode":"965","invoiceType":"0","invoiceSubType":"3",
  "allocatePayType":"1,2","expiresAt":"'"$EXPIRES"'"}' |
  curl -s "$BASE/api/v1/invoice" -H 'content-type: application/json' -H "accessCode: $ACCESS_CODE" \
    -H "Authorization: Bearer $TOKEN" -d @- |
  npx fawtara decrypt # {"status": true, "code": 200, "response": {"id": …, "url": …}}
