DROP TABLE public.notifications;
DROP TABLE public.notification_kind;
DROP TABLE public.auctions;
DROP TABLE public.auction_status;
