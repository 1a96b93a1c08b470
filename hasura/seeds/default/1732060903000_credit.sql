INSERT INTO public.credit_products (id, code, name, description, kind, annual_rate_percent, min_amount, max_amount, currency, is_active) VALUES
    ('c1000000-0000-4000-8000-000000000001', 'CARD-CLASSIC', 'Classic card', 'No annual fee, 45 days interest-free', 'CREDIT_CARD', 21.90, 500, 10000, 'USD', true),
    ('c1000000-0000-4000-8000-000000000002', 'LOAN-PERSONAL', 'Personal loan', 'Fixed rate, 12 to 60 months', 'PERSONAL_LOAN', 9.45, 2000, 50000, 'USD', true),
    ('c1000000-0000-4000-8000-000000000003', 'LOAN-AUTO', 'Car loan', 'New and used cars', 'AUTO_LOAN', 6.20, 5000, 80000, 'USD', true),
    ('c1000000-0000-4000-8000-000000000004', 'CARD-GOLD-2019', 'Gold card (2019)', 'No longer offered', 'CREDIT_CARD', 24.50, 1000, 20000, 'USD', false)
ON CONFLICT DO NOTHING;

INSERT INTO public.credit_product_applications (id, user_id, credit_product_id, requested_amount, status, decided_at, created_at) VALUES
    ('d1000000-0000-4000-8000-000000000001', '4f0c2a8e-6f3b-4d1a-9a6e-2b7c1d9e0a11', 'c1000000-0000-4000-8000-000000000002', 15000.00, 'PENDING', NULL, '2024-11-19T10:00:00Z'),
    ('d1000000-0000-4000-8000-000000000002', '8b1d7e42-0c5a-4f9e-b3d2-7a6e5c4b3a22', 'c1000000-0000-4000-8000-000000000001', 3000.00, 'APPROVED', '2024-11-12T15:30:00Z', '2024-11-12T09:00:00Z'),
    ('d1000000-0000-4000-8000-000000000003', 'c3e9f1a0-2d4b-4c6e-8f1a-3b5d7e9f1c33', 'c1000000-0000-4000-8000-000000000003', 60000.00, 'DENIED', '2024-11-08T11:00:00Z', '2024-11-07T17:45:00Z')
ON CONFLICT DO NOTHING;
