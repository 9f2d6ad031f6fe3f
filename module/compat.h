/* SPDX-License-Identifier: GPL-2.0 */
/*
 * compat.h - the only place where netbuf bends to kernel versions.
 *
 * Supported: Debian's 6.1 and 6.12 kernels; the shims below keep newer
 * kernels building where an API was renamed. Version tests live here and
 * nowhere else (make check exempts this file, and only this file, from
 * checkpatch's LINUX_VERSION_CODE warnings).
 */
#ifndef _NETBUF_COMPAT_H
#define _NETBUF_COMPAT_H

#include <linux/version.h>
#include <linux/timer.h>

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
#define nb_timer_delete_sync(t)	timer_delete_sync(t)
#else
#define nb_timer_delete_sync(t)	del_timer_sync(t)
#endif

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 16, 0)
#define nb_timer_container_of(var, t, field)	timer_container_of(var, t, field)
#else
#define nb_timer_container_of(var, t, field)	from_timer(var, t, field)
#endif

/*
 * tcp_prune_queue(sk) in 6.1, tcp_prune_queue(sk, in_skb) from 6.2: the
 * incoming skb (for its ingress device) where the kernel passes it.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
#define nb_prune_in_skb(regs) \
	((const struct sk_buff *)regs_get_kernel_argument(regs, 1))
#else
#define nb_prune_in_skb(regs)	((const struct sk_buff *)NULL)
#endif

/*
 * The skb:kfree_skb tracepoint gained the receiving socket (rx_sk) in
 * 6.11; before, the socket of an out-of-order skb is skb->sk (an skb in
 * that queue is charged to it, skb_set_owner_r()).
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 11, 0)
#define NB_KFREE_SKB_PARAMS \
	(void *data, struct sk_buff *skb, void *location, \
	 enum skb_drop_reason reason, struct sock *rx_sk)
#define nb_kfree_skb_sk(skb)	(rx_sk)
#else
#define NB_KFREE_SKB_PARAMS \
	(void *data, struct sk_buff *skb, void *location, \
	 enum skb_drop_reason reason)
#define nb_kfree_skb_sk(skb)	((skb)->sk)
#endif

/*
 * The RX queue whose NAPI instance is @napi, or -1: from 6.8 a driver may
 * link its queues to their NAPI instances (netif_queue_set_napi(), under
 * RTNL); only the pointers are compared, never followed. Under RCU, @dev
 * registered.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 8, 0)
#include <net/netdev_rx_queue.h>
static inline int nb_napi_rxq(struct net_device *dev,
			      const struct napi_struct *napi,
			      unsigned int nrxq)
{
	unsigned int i;

	for (i = 0; i < nrxq && i < dev->num_rx_queues; i++)
		if (READ_ONCE(dev->_rx[i].napi) == napi)
			return i;
	return -1;
}
#else
static inline int nb_napi_rxq(struct net_device *dev,
			      const struct napi_struct *napi,
			      unsigned int nrxq)
{
	return -1;
}
#endif

#endif /* _NETBUF_COMPAT_H */
