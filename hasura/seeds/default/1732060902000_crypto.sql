INSERT INTO public.crypto_assets (symbol, name, is_tracked, decimals) VALUES
    ('BTC', 'Bitcoin', true, 8),
    ('ETH', 'Ethereum', true, 18),
    ('SOL', 'Solana', true, 9)
ON CONFLICT DO NOTHING;

-- A few minutes of prices, as the every-minute Coinbase job stores them.
INSERT INTO public.crypto_prices (asset_symbol, quote_currency, price, bid, ask, volume, source_time, minute) VALUES
    ('BTC', 'USD', 91850.12, 91849.50, 91851.00, 18234.55, '2024-11-21T12:00:03Z', '2024-11-21T12:00:00Z'),
    ('BTC', 'USD', 91902.40, 91901.90, 91903.10, 18240.02, '2024-11-21T12:01:02Z', '2024-11-21T12:01:00Z'),
    ('BTC', 'USD', 91877.05, 91876.00, 91878.20, 18243.71, '2024-11-21T12:02:04Z', '2024-11-21T12:02:00Z'),
    ('ETH', 'USD', 3105.44, 3105.30, 3105.60, 221004.8, '2024-11-21T12:00:03Z', '2024-11-21T12:00:00Z'),
    ('ETH', 'USD', 3108.90, 3108.75, 3109.02, 221120.3, '2024-11-21T12:01:02Z', '2024-11-21T12:01:00Z'),
    ('ETH', 'USD', 3102.15, 3102.00, 3102.33, 221300.9, '2024-11-21T12:02:04Z', '2024-11-21T12:02:00Z'),
    ('SOL', 'USD', 238.71, 238.69, 238.74, 4120559.0, '2024-11-21T12:00:03Z', '2024-11-21T12:00:00Z'),
    ('SOL', 'USD', 239.02, 239.00, 239.05, 4121870.5, '2024-11-21T12:01:02Z', '2024-11-21T12:01:00Z'),
    ('SOL', 'USD', 238.40, 238.37, 238.44, 4123012.2, '2024-11-21T12:02:04Z', '2024-11-21T12:02:00Z')
ON CONFLICT DO NOTHING;

INSERT INTO public.wallets (id, user_id, asset_symbol, quantity) VALUES
    ('b1000000-0000-4000-8000-000000000001', '4f0c2a8e-6f3b-4d1a-9a6e-2b7c1d9e0a11', 'BTC', 0.0425),
    ('b1000000-0000-4000-8000-000000000002', '4f0c2a8e-6f3b-4d1a-9a6e-2b7c1d9e0a11', 'ETH', 1.75),
    ('b1000000-0000-4000-8000-000000000003', '8b1d7e42-0c5a-4f9e-b3d2-7a6e5c4b3a22', 'SOL', 120.5)
ON CONFLICT DO NOTHING;
