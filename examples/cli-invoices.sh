npx fawtara invoice create --amount 12.500 --customer-name "Ahmad" --mobile 66666666
npx fawtara invoice get 1 --json
npx fawtara invoice list --search ahmad                  # a table; --json for the page, --all for every page
npx fawtara invoice cancel --id 1                        # or the invoice token, as Hesabe does
npx fawtara open-invoice create --title "Donation" --min 1 --max 500   # the link, and a QR code on a terminal (--qr forces it)
npx fawtara encrypt '{"merchantCode":"842217"}'          # 0e7898bd…  (--json: {"data": …}, a request body)
npx fawtara decrypt 0e7898bd7464d0c402fe8a949d9cbf9b826ccb9b83b56fa003373275f1947a65   # {"merchantCode": "842217"}
