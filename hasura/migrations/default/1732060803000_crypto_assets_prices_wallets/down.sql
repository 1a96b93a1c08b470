DROP TABLE public.wallets;
DROP TABLE public.crypto_prices;
DROP TABLE public.crypto_assets;
