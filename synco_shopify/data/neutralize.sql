-- A neutralized copy must never talk to the live store nor verify its webhooks.
UPDATE synco_shop
   SET client_secret_encrypted = NULL,
       client_secret_previous_encrypted = NULL,
       client_secret_previous_until = NULL,
       access_token_encrypted = NULL,
       state = 'draft',
       active = FALSE;
