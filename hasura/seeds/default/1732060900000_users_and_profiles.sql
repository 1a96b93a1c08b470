-- Demo people. Ids look like Cognito subs so tokens from cognito-local can be matched to them.
INSERT INTO public.users (id, email, name, last_login_at) VALUES
    ('4f0c2a8e-6f3b-4d1a-9a6e-2b7c1d9e0a11', 'alice@example.com', 'Alice Martin', '2024-11-18T08:12:00Z'),
    ('8b1d7e42-0c5a-4f9e-b3d2-7a6e5c4b3a22', 'bob@example.com', 'Bob Nguyen', '2024-11-19T19:45:00Z'),
    ('c3e9f1a0-2d4b-4c6e-8f1a-3b5d7e9f1c33', 'carol@example.com', 'Carol Diaz', NULL)
ON CONFLICT DO NOTHING;

INSERT INTO public.profiles (user_id, phone_number, date_of_birth, national_id, address_line, city, country_code) VALUES
    ('4f0c2a8e-6f3b-4d1a-9a6e-2b7c1d9e0a11', '+14155550101', '1988-04-12', '521-44-1001', '12 Market St', 'San Francisco', 'US'),
    ('8b1d7e42-0c5a-4f9e-b3d2-7a6e5c4b3a22', '+12125550102', '1992-09-30', '521-44-1002', '88 Hudson Ave', 'New York', 'US'),
    ('c3e9f1a0-2d4b-4c6e-8f1a-3b5d7e9f1c33', '+13125550103', '1979-01-05', '521-44-1003', '7 Lake Shore Dr', 'Chicago', 'US')
ON CONFLICT DO NOTHING;
